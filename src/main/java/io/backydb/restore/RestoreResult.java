package io.backydb.restore;

import io.backydb.engine.ApplySummary;

/** What a finished restore returns. */
public record RestoreResult(
    String backupLocation, String database, ApplySummary summary, long durationMs) {}
