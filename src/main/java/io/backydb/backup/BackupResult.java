package io.backydb.backup;

import io.backydb.format.BackupMetadata;

/** What a finished backup returns: where it is and its metadata. */
public record BackupResult(String location, BackupMetadata metadata) {}
