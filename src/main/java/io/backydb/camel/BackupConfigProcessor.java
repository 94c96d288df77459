package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.backup.BackupJobs;
import io.backydb.config.Environment;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code backupConfig}: reads and validates the job's config from the body and starts the job.
 * The job's HMAC key is overwritten when the exchange is over, backed up or failed.
 */
public final class BackupConfigProcessor implements Processor {

  private final Environment environment;

  public BackupConfigProcessor(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void process(Exchange exchange) {
    var config = ConfigBodies.backup(exchange.getMessage().getBody());
    BackupJob job = BackupJobs.backup(config, environment);
    // the HMAC key signs the files and the sidecar; overwritten when the backup is over, however
    // it ends
    BackyExchange.onDone(exchange, job::destroyIntegrityKey);
    exchange.setProperty(BackyExchange.BACKUP_JOB, job);
    exchange.getMessage().setBody(null);
  }
}
