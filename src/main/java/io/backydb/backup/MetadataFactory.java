package io.backydb.backup;

import io.backydb.BackyVersion;
import io.backydb.codec.FileListIntegrity;
import io.backydb.codec.IntegrityKey;
import io.backydb.config.BackupConfig;
import io.backydb.config.Feature;
import io.backydb.engine.DumpSummary;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Builds a finished backup's metadata from its job. */
public final class MetadataFactory {

  private MetadataFactory() {}

  public static BackupMetadata create(BackupJob job, DumpSummary dump, Instant completedAt) {
    BackupConfig c = job.config();
    boolean backy = BackupMetadata.LAYOUT_BACKY.equals(job.layout());
    long stored = job.storedFiles().stream().mapToLong(BackupMetadata.StoredFile::bytes).sum();
    List<String> features =
        c.database().backupFeatures().selected().stream().map(Feature::key).toList();
    return new BackupMetadata(
        BackupMetadata.VERSION,
        job.id(),
        job.name(),
        new BackupMetadata.Tool(BackyVersion.NAME, BackyVersion.version()),
        job.startedAt(),
        completedAt,
        Duration.between(job.startedAt(), completedAt).toMillis(),
        new BackupMetadata.Source(
            "mysql",
            c.database().host(),
            c.database().port(),
            dump.serverVersion(),
            c.database().dbName(),
            dump.charset(),
            dump.collation()),
        features,
        c.database().tables().isEmpty() ? null : List.copyOf(c.database().tables()),
        c.database().multipleFiles(),
        job.layout(),
        backy ? BackyFormat.VERSION : null,
        List.copyOf(job.storedFiles()),
        dump.tables().stream()
            .map(
                t ->
                    new BackupMetadata.Table(
                        t.name(),
                        t.rows(),
                        t.bytes(),
                        t.sequence()
                            ? BackupMetadata.Table.KIND_SEQUENCE
                            : BackupMetadata.Table.KIND_TABLE))
            .toList(),
        backy
            ? new BackupMetadata.Compression(
                job.header().compression().type(), job.header().compression().level())
            : new BackupMetadata.Compression(c.compression().type().key(), null),
        job.encryption(),
        backy ? job.integrity() : withFileList(job),
        new BackupMetadata.Sizes(job.dumpBytes(), stored));
  }

  /**
   * A plain SQL backup's integrity, with the value over its list of files (each file's own value is
   * in its entry): a file removed together with its entry would otherwise go unnoticed.
   */
  private static BackupMetadata.Integrity withFileList(BackupJob job) {
    BackupMetadata.Integrity i = job.integrity();
    IntegrityKey key = job.integrityKey();
    if (i == null || key == null) {
      return i;
    }
    return BackupMetadata.Integrity.of(
        key.params(), FileListIntegrity.of(key, job.id(), job.storedFiles()));
  }
}
