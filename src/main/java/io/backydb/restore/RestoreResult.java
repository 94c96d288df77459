package io.backydb.restore;

import io.backydb.engine.ApplySummary;

/**
 * What a finished restore returns.
 *
 * @param backupLocation the backup that was restored
 * @param database the database restored into
 * @param summary what was applied: statements, features, each table's rows; and what was left out
 * @param durationMs how long the restore took, verification included, in milliseconds
 */
public record RestoreResult(
    String backupLocation, String database, ApplySummary summary, long durationMs) {}
