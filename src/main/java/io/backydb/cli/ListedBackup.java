package io.backydb.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.backydb.backup.BackupCatalog;
import io.backydb.backup.IncompleteBackups;
import io.backydb.config.CompressionType;
import io.backydb.format.BackupMetadata;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * One element of {@code backy list --json}: a backup as a script needs it. Every key is always
 * there, null where it does not apply (an incomplete backup has no metadata to tell its database or
 * format), so that scripts can rely on the key names (docs/operations.md documents them).
 *
 * @param name relative to the storage, as the table's BACKUP column and {@code backup_path} take it
 *     (a folder backup's with its '/')
 * @param location where it is, as {@code backy backup} printed it (a path, or {@code s3://...})
 * @param hasMetadata whether its metadata sidecar is there: false for what a stopped backup left,
 *     or a backup still running has committed so far
 * @param beingWritten whether a backup that still runs writes into it (the next file of its folder,
 *     or its sidecar): the table's {@code being written}; false for a finished backup
 * @param folder whether it is a {@code multiple_files} backup's folder, else one file
 * @param startedAt when it started, in UTC to the second (ISO-8601: {@code 2026-11-26T10:15:00Z})
 * @param lastWrittenAt an incomplete backup's last write (null for a finished one: see {@code
 *     completedAt})
 * @param format the table's FORMAT column ({@code zstd+aes:local+hmac})
 * @param compression the codec: {@code none}, {@code zstd}, {@code zip}, {@code tar}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record ListedBackup(
    String name,
    String location,
    boolean hasMetadata,
    boolean beingWritten,
    boolean folder,
    String database,
    Instant startedAt,
    Instant completedAt,
    Instant lastWrittenAt,
    List<String> features,
    Long rows,
    Long sizeBytes,
    Long dumpBytes,
    int fileCount,
    String format,
    String layout,
    String compression,
    String encryptionProvider,
    String encryptionKeyId,
    String integrity) {

  /** A finished backup, from its sidecar; {@code name} as the table shows it. */
  static ListedBackup of(BackupCatalog.Entry e, String name) {
    BackupMetadata m = e.metadata();
    String codec = m.compression() == null ? null : m.compression().type();
    return new ListedBackup(
        name,
        e.location(),
        true,
        false,
        BackupMetadata.LAYOUT_SQL_FILES.equals(m.layout()),
        m.source().database(),
        seconds(m.startedAt()),
        seconds(m.completedAt()),
        null,
        m.features(),
        m.totalRows(),
        m.sizes().storedBytes(),
        m.sizes().dumpBytes(),
        m.files() == null ? 0 : m.files().size(),
        ListCommand.format(m),
        m.layout(),
        codec == null ? CompressionType.NONE.key() : codec,
        m.encryption() == null ? null : m.encryption().provider(),
        m.encryption() == null ? null : m.encryption().keyId(),
        m.integrity() == null ? null : m.integrity().type());
  }

  /**
   * What a stopped backup left without its sidecar, or what one still running has committed; {@code
   * name} as the table shows it.
   */
  static ListedBackup of(IncompleteBackups.Leftover f, String name, boolean beingWritten) {
    return new ListedBackup(
        name,
        f.location(),
        false,
        beingWritten,
        f.folder(),
        null,
        null,
        null,
        seconds(f.lastWrite()),
        null,
        null,
        null,
        null,
        f.files().size(),
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A time to the second, as the backup's name has it: jq's {@code fromdate}, among others, takes
   * no fraction of a second.
   */
  private static Instant seconds(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
  }
}
