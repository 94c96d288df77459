package io.backydb.engine;

import java.util.List;

/** What a restore applied: the number of statements, and the tables whose data it loaded. */
public record ApplySummary(long statements, List<String> features, List<TableStats> tables) {}
