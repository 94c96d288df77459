package io.backydb.camel;

import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code verify}: reads the whole backup — decrypted and decompressed down to its end — and
 * checks its integrity before a single statement reaches the database; a damaged backup, or a wrong
 * INTEGRITY_PASSWORD, stops the route here. It runs after {@code decrypt} and {@code decompress},
 * which only set the decoding up.
 */
public final class VerifyProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    new BackupVerifier(job.environment(), job.config().hmacRequired(job.environment()))
        .requireIntact(exchange.getMessage().getMandatoryBody(BackupSource.class));
  }
}
