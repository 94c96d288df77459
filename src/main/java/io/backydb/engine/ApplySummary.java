package io.backydb.engine;

import java.util.List;

/**
 * What a restore applied: the number of statements, the features, and the tables whose data it
 * loaded; and the features the dump holds that a restore limited to tables left out (views,
 * routines, events: they belong to no one table); and the features the restore asked for that the
 * backup does not hold (it was made without them); and the INSERT triggers that fired for every row
 * it loaded into existing tables it did not create, each as {@code `table` (`trigger`, ...)}; and
 * the tables it created in the target server's default engine, which lacks theirs, each as {@code
 * `table` (ARCHIVE as InnoDB)}.
 */
public record ApplySummary(
    long statements,
    List<String> features,
    List<TableStats> tables,
    List<String> leftOut,
    List<String> notInBackup,
    List<String> insertTriggers,
    List<String> engineSubstitutes) {}
