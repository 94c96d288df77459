package io.backydb.camel;

import io.backydb.backup.BackupJobs;
import io.backydb.config.Environment;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code backupConfig}: reads and validates the job's config from the body and starts the job.
 */
public final class BackupConfigProcessor implements Processor {

  private final Environment environment;

  public BackupConfigProcessor(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void process(Exchange exchange) {
    var config = ConfigBodies.backup(exchange.getMessage().getBody());
    exchange.setProperty(BackyExchange.BACKUP_JOB, BackupJobs.backup(config, environment));
    exchange.getMessage().setBody(null);
  }
}
