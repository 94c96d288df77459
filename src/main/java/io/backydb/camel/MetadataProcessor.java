package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.backup.BackupResult;
import io.backydb.backup.BackupWriter;
import io.backydb.backup.MetadataFactory;
import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.storage.PendingWrite;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code metadata}: writes the metadata sidecar beside the stored backup. It is the last write
 * of a backup, so a backup is listed only once everything else has succeeded. Once the sidecar is
 * committed the backup is complete: the store step's rollback is disarmed, so nothing that fails
 * afterwards (retention, a step after it, a route that called this one) deletes it. The body
 * becomes the {@link BackupResult}.
 */
public final class MetadataProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    BackupMetadata metadata = MetadataFactory.create(job, job.dump().get(), Instant.now());
    String sidecar = BackupMetadata.sidecarName(job.name());
    try (PendingWrite w = job.storage().create(sidecar)) {
      w.stream().write(MetadataJson.write(metadata));
      w.commit();
    } catch (java.io.IOException e) {
      throw BackupWriter.storageFailure(job.storage(), sidecar, e);
    }
    if (job.writer() != null) {
      job.writer().complete();
    }
    job.metadata(metadata);
    exchange.getMessage().setBody(new BackupResult(job.location(), metadata));
  }
}
