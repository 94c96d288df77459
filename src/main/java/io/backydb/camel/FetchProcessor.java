package io.backydb.camel;

import io.backydb.restore.BackupSource;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code fetch}: locates the backup in its storage; the body becomes its {@link BackupSource}.
 */
public final class FetchProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    BackupSource source = BackupSource.locate(job.storage(), job.config().backupPath());
    job.source(source);
    exchange.getMessage().setBody(source);
  }
}
