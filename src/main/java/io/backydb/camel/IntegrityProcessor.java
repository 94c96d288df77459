package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.codec.IntegrityKey;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyContainerWriter;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code integrity}. For a {@code .backy} backup it frames the payload into the file: the (now
 * frozen) header, the payload, and the trailer with the HMAC or SHA-256 over both — so it runs
 * after {@code encrypt}, and the trailer is written even without integrity (end marker and length
 * catch truncation). For plain SQL it only records the integrity parameters; the {@code store} step
 * computes each file's value.
 */
public final class IntegrityProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    IntegrityKey key = job.integrityKey();
    if (job.config().isRawSql()) {
      if (key != null) {
        job.integrity(BackupMetadata.Integrity.of(key.params(), null));
      }
      return;
    }
    InputStream payload = exchange.getMessage().getMandatoryBody(InputStream.class);
    exchange
        .getMessage()
        .setBody(
            new BackyContainerWriter(
                job.completedHeader(),
                payload,
                key,
                value -> job.integrity(BackupMetadata.Integrity.of(key.params(), value))));
  }
}
