package io.backydb.camel.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * One backup or restore run as the history keeps it and as events carry it.
 *
 * @param id a unique run id
 * @param operation {@code backup} or {@code restore}
 * @param status {@code started}, {@code succeeded} or {@code failed}
 * @param node the {@code bin/backy run} node (host/pid unless {@code backy.node} is set)
 * @param trigger the route that asked for the run (a schedule's route id, a request route, ...)
 * @param scheduledAt the scheduled fire time when a schedule triggered the run
 * @param database the database backed up or restored into, when the config could be read
 * @param dumpBytes bytes of SQL dumped (backups)
 * @param storedBytes bytes written to the storage (backups)
 * @param location the backup's location
 * @param leftOut what a restore limited to tables left out of the backup's features ({@code views},
 *     {@code functions}, {@code procedures}, {@code events}), as its summary line names them; null
 *     when it left nothing out, and for backups
 * @param insertTriggers the INSERT triggers of existing tables that fired for every row a restore
 *     loaded into them (a restore of rows without their definitions), each as its summary line
 *     names it: {@code `orders` (`orders_audit`, `orders_set_total`)}; null when none fired, and
 *     for backups
 * @param engineSubstitutes the tables a restore created in the target server's default engine, as
 *     the server lacks theirs (a backup of ARCHIVE tables restored where that plugin is not
 *     installed), each as its summary line names it: {@code `logs` (ARCHIVE as InnoDB)}; null when
 *     it created every table in its own engine, and for backups
 * @param error the one-line reason of a failure
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(
    String id,
    String operation,
    String status,
    String node,
    String trigger,
    Instant scheduledAt,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    String database,
    Long dumpBytes,
    Long storedBytes,
    String location,
    List<String> leftOut,
    List<String> insertTriggers,
    List<String> engineSubstitutes,
    String error) {

  public static final String STARTED = "started";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  /**
   * This started run, finished at {@code end} with {@code status}: its duration, the database, and
   * what a successful run gave (null for a failed one) or why it failed.
   */
  RunRecord finished(
      String status,
      Instant end,
      String database,
      Long dumpBytes,
      Long storedBytes,
      String location,
      List<String> leftOut,
      List<String> insertTriggers,
      List<String> engineSubstitutes,
      String error) {
    return new RunRecord(
        id,
        operation,
        status,
        node,
        trigger,
        scheduledAt,
        startedAt,
        end,
        java.time.Duration.between(startedAt, end).toMillis(),
        database,
        dumpBytes,
        storedBytes,
        location,
        noneAsNull(leftOut),
        noneAsNull(insertTriggers),
        noneAsNull(engineSubstitutes),
        error);
  }

  /** Absent from the JSON, as from the history table, when there is nothing to name. */
  private static List<String> noneAsNull(List<String> names) {
    return names == null || names.isEmpty() ? null : List.copyOf(names);
  }
}
