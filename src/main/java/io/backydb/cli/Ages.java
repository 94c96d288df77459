package io.backydb.cli;

import java.time.Duration;

/** How long ago something happened, for people: {@code 40 min}, {@code 26 h}, {@code 3 days}. */
final class Ages {

  private Ages() {}

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
