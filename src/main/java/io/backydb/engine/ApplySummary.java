package io.backydb.engine;

import java.util.List;

/**
 * What a restore applied: the number of statements, the features, and the tables whose data it
 * loaded; and the features the dump holds that a restore limited to tables left out (views,
 * routines, events: they belong to no one table).
 */
public record ApplySummary(
    long statements, List<String> features, List<TableStats> tables, List<String> leftOut) {}
