package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.config.RetentionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

  static RetentionPolicy.Backup at(String time) {
    return new RetentionPolicy.Backup(time, Instant.parse(time));
  }

  static List<String> ids(List<RetentionPolicy.Backup> bs) {
    return bs.stream().map(RetentionPolicy.Backup::id).toList();
  }

  /** Two backups a day, 06:00 and 18:00 UTC, from 2026-01-01 for {@code days} days. */
  static List<RetentionPolicy.Backup> twiceADay(int days) {
    List<RetentionPolicy.Backup> out = new ArrayList<>();
    Instant start = Instant.parse("2026-01-01T06:00:00Z");
    for (int d = 0; d < days; d++) {
      out.add(at(start.plusSeconds(d * 86400L).toString()));
      out.add(at(start.plusSeconds(d * 86400L + 12 * 3600).toString()));
    }
    Collections.shuffle(out, new java.util.Random(1));
    return out;
  }

  @Test
  void keepLast_keepsTheNNewest() {
    var plan = new RetentionPolicy(RetentionConfig.keepLast(3)).plan(twiceADay(5));
    assertThat(ids(plan.keep()))
        .containsExactly("2026-01-05T18:00:00Z", "2026-01-05T06:00:00Z", "2026-01-04T18:00:00Z");
    assertThat(plan.remove()).hasSize(7);
    assertThat(ids(plan.remove())).first().isEqualTo("2026-01-04T06:00:00Z");
    assertThat(plan.reasons().get("2026-01-05T18:00:00Z")).containsExactly("newest", "last 3");
  }

  @Test
  void keepDaily_keepsTheNewestOfEachOfTheLastNDays() {
    var plan = new RetentionPolicy(new RetentionConfig(null, 3, null, null)).plan(twiceADay(5));
    assertThat(ids(plan.keep()))
        .containsExactly("2026-01-05T18:00:00Z", "2026-01-04T18:00:00Z", "2026-01-03T18:00:00Z");
    assertThat(plan.reasons().get("2026-01-04T18:00:00Z")).containsExactly("daily 2026-01-04");
  }

  @Test
  void keepWeekly_andMonthly_useIsoWeeksAndCalendarMonths() {
    // 2026-01-01 is a Thursday: ISO week 1 runs 2025-12-29 .. 2026-01-04
    var backups = twiceADay(70);
    var weekly = new RetentionPolicy(new RetentionConfig(null, null, 2, null)).plan(backups);
    assertThat(ids(weekly.keep()))
        .containsExactly("2026-03-11T18:00:00Z", "2026-03-08T18:00:00Z"); // Wed; Sun ends week 10
    var monthly = new RetentionPolicy(new RetentionConfig(null, null, null, 5)).plan(backups);
    assertThat(ids(monthly.keep()))
        .containsExactly("2026-03-11T18:00:00Z", "2026-02-28T18:00:00Z", "2026-01-31T18:00:00Z");
  }

  @Test
  void rulesCombine_aBackupKeptByAnyRuleStays() {
    var plan = new RetentionPolicy(new RetentionConfig(2, 3, null, 2)).plan(twiceADay(40));
    assertThat(ids(plan.keep()))
        .containsExactly(
            "2026-02-09T18:00:00Z", // newest, last 2, daily, monthly
            "2026-02-09T06:00:00Z", // last 2
            "2026-02-08T18:00:00Z", // daily
            "2026-02-07T18:00:00Z", // daily
            "2026-01-31T18:00:00Z"); // monthly
    assertThat(plan.keep().size() + plan.remove().size()).isEqualTo(80);
  }

  @Test
  void theNewestBackupIsAlwaysKept_andNothingListedIsFine() {
    var one =
        new RetentionPolicy(new RetentionConfig(null, null, null, 1))
            .plan(List.of(at("2026-05-01T00:00:00Z")));
    assertThat(ids(one.keep())).containsExactly("2026-05-01T00:00:00Z");
    assertThat(new RetentionPolicy(RetentionConfig.keepLast(1)).plan(List.of()).keep()).isEmpty();
  }

  @Test
  void config_refusesZeroAndEmptyRules() {
    assertThatThrownBy(() -> RetentionConfig.keepLast(0))
        .hasMessageContaining("keep_last must be at least 1");
    assertThatThrownBy(() -> new RetentionConfig(null, null, null, null))
        .hasMessageContaining("set at least one of");
  }
}
