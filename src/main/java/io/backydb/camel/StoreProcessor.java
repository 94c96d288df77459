package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.backup.BackupWriter;
import io.backydb.format.BackupMetadata;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code store}: pulls the backup stream through to the storage under a new backup name. What
 * it stored is deleted again if the exchange fails before the backup is complete, that is before
 * the {@code metadata} step has committed its sidecar ({@link BackupWriter#complete()}); a failure
 * after that (a later step of this route, or of a route that called {@code direct:backup}) leaves
 * the finished backup alone.
 */
public final class StoreProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    // plain SQL carries its integrity per file in the metadata; a .backy file in its trailer
    BackupWriter writer =
        new BackupWriter(job.storage(), job.config().isRawSql() ? job.integrityKey() : null);
    job.writer(writer);
    BackyExchange.onFailure(exchange, writer::rollback);
    String base =
        io.backydb.backup.BackupNaming.name(job.config().database().dbName(), job.startedAt());
    try (InputStream in = exchange.getMessage().getMandatoryBody(InputStream.class)) {
      if (job.config().isRawSql()) {
        boolean multiple = job.config().database().multipleFiles();
        String name = reserveName(exchange, job, base, multiple ? "" : ".sql");
        job.layout(multiple ? BackupMetadata.LAYOUT_SQL_FILES : BackupMetadata.LAYOUT_SQL);
        job.storedFiles().addAll(writer.writeSql(name, multiple, in));
        job.location(job.storage().location(multiple ? name : name + ".sql"));
      } else {
        String name = reserveName(exchange, job, base, ".backy");
        job.layout(BackupMetadata.LAYOUT_BACKY);
        job.storedFiles().add(writer.write(name + ".backy", in));
        job.location(job.storage().location(name + ".backy"));
      }
    }
    exchange.getMessage().setBody(job.location());
  }

  /** A name no other backup uses, also none running in this process, held until the end. */
  private static String reserveName(Exchange exchange, BackupJob job, String base, String extension)
      throws java.io.IOException {
    String name = BackupNamesInUse.reserve(job.storage(), base, extension);
    BackyExchange.onDone(exchange, () -> BackupNamesInUse.release(job.storage(), name));
    job.name(name);
    return name;
  }
}
