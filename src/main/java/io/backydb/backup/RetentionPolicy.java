package io.backydb.backup;

import io.backydb.config.RetentionConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which backups a retention policy keeps, as restic's {@code forget} decides it: a pure function of
 * the rules and the backups' times, with no storage access.
 *
 * <ul>
 *   <li>{@code keep_last N}: the N newest backups.
 *   <li>{@code keep_daily N}: for the last N days (UTC) that have backups, the newest of each day;
 *       {@code keep_weekly} the same per ISO week, {@code keep_monthly} per calendar month.
 * </ul>
 *
 * A backup is kept if any rule keeps it. The newest backup is always kept, whatever the rules say.
 */
public final class RetentionPolicy {

  /** One backup as the policy sees it: an id and when it was taken. */
  public record Backup(String id, Instant time) {
    public Backup {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * The decision: the backups to keep (with the rules that keep each) and those to remove, both
   * newest first.
   */
  public record Plan(List<Backup> keep, List<Backup> remove, Map<String, List<String>> reasons) {}

  private final RetentionConfig rules;

  public RetentionPolicy(RetentionConfig rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  public Plan plan(List<Backup> backups) {
    List<Backup> sorted = new ArrayList<>(backups);
    sorted.sort(Comparator.comparing(Backup::time).thenComparing(Backup::id).reversed());
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (Backup b : sorted) {
      reasons.put(b.id(), new ArrayList<>());
    }
    if (!sorted.isEmpty()) {
      reasons.get(sorted.get(0).id()).add("newest");
    }
    if (rules.keepLast() != null) {
      for (int i = 0; i < Math.min(rules.keepLast(), sorted.size()); i++) {
        reasons.get(sorted.get(i).id()).add("last " + rules.keepLast());
      }
    }
    keepPerPeriod(
        sorted, rules.keepDaily(), "daily", t -> LocalDate.ofInstant(t, ZoneOffset.UTC), reasons);
    keepPerPeriod(
        sorted,
        rules.keepWeekly(),
        "weekly",
        t -> {
          LocalDate d = LocalDate.ofInstant(t, ZoneOffset.UTC);
          return d.get(IsoFields.WEEK_BASED_YEAR) * 100 + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        },
        reasons);
    keepPerPeriod(
        sorted,
        rules.keepMonthly(),
        "monthly",
        t -> YearMonth.from(LocalDate.ofInstant(t, ZoneOffset.UTC)),
        reasons);
    List<Backup> keep = new ArrayList<>();
    List<Backup> remove = new ArrayList<>();
    for (Backup b : sorted) {
      (reasons.get(b.id()).isEmpty() ? remove : keep).add(b);
    }
    reasons.values().removeIf(List::isEmpty);
    return new Plan(List.copyOf(keep), List.copyOf(remove), reasons);
  }

  /** Keeps the newest backup of each of the {@code n} newest periods that have backups. */
  private static void keepPerPeriod(
      List<Backup> newestFirst,
      Integer n,
      String rule,
      Function<Instant, Object> period,
      Map<String, List<String>> reasons) {
    if (n == null) {
      return;
    }
    Object last = null;
    int periods = 0;
    for (Backup b : newestFirst) {
      Object p = period.apply(b.time());
      if (!p.equals(last)) {
        if (periods == n) {
          return;
        }
        periods++;
        last = p;
        reasons.get(b.id()).add(rule + " " + p);
      }
    }
  }
}
