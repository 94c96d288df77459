package io.backydb.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times for people: how long ago something happened ({@code 40 min}, {@code 26 h}, {@code 3 days})
 * and when ({@code 2026-12-07 12:12:27}, UTC, to the second).
 */
final class Ages {

  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private Ages() {}

  /** A moment as {@code list} and {@code prune} print it: UTC, to the second. */
  static String when(Instant t) {
    return WHEN.format(t);
  }

  static String human(Duration age) {
    if (age.toMinutes() < 1) {
      return "less than a minute";
    }
    if (age.toHours() < 1) {
      return age.toMinutes() + " min";
    }
    // hours up to two days: the 24-hour threshold of abandoned writes shows in them
    if (age.toHours() < 48) {
      return age.toHours() + " h";
    }
    return age.toDays() + " days";
  }
}
