package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code storage.retention} section: which backups to keep, like restic's {@code forget}. A
 * backup is kept if any rule keeps it; the newest backup is always kept. Unset rules keep nothing
 * on their own; at least one rule must be set.
 *
 * @param keepLast keep the N newest backups
 * @param keepDaily for the last N days that have backups, keep the newest backup of each (UTC)
 * @param keepWeekly for the last N ISO weeks that have backups, keep the newest of each
 * @param keepMonthly for the last N months that have backups, keep the newest of each
 */
public record RetentionConfig(
    Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly) {

  public RetentionConfig {
    check("keep_last", keepLast);
    check("keep_daily", keepDaily);
    check("keep_weekly", keepWeekly);
    check("keep_monthly", keepMonthly);
    if (keepLast == null && keepDaily == null && keepWeekly == null && keepMonthly == null) {
      throw new IllegalArgumentException(
          "set at least one of keep_last, keep_daily, keep_weekly, keep_monthly");
    }
  }

  private static void check(String key, Integer n) {
    if (n != null && n < 1) {
      throw new IllegalArgumentException(key + " must be at least 1 (got " + n + ")");
    }
  }

  @JsonCreator
  static RetentionConfig fromJson(
      @JsonProperty("keep_last") Integer keepLast,
      @JsonProperty("keep_daily") Integer keepDaily,
      @JsonProperty("keep_weekly") Integer keepWeekly,
      @JsonProperty("keep_monthly") Integer keepMonthly) {
    return new RetentionConfig(keepLast, keepDaily, keepWeekly, keepMonthly);
  }

  /** Keeps the N newest backups and nothing else. */
  public static RetentionConfig keepLast(int n) {
    return new RetentionConfig(n, null, null, null);
  }
}
