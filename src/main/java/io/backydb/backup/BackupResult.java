package io.backydb.backup;

import io.backydb.format.BackupMetadata;

/**
 * What a finished backup returns: where it is and its metadata.
 *
 * @param location the backup, as {@code bin/backy backup} prints it and a restore config's {@code
 *     backup_path} takes it: a local path, or {@code s3://bucket/key}
 * @param metadata what its metadata sidecar ({@code NAME.metadata.json}) records: tables, row
 *     counts, sizes, SHA-256 of every file, server version, timings
 */
public record BackupResult(String location, BackupMetadata metadata) {}
