package io.backydb.camel;

import io.backydb.backup.BackupJobs;
import io.backydb.config.Environment;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code restoreConfig}: reads and validates the restore config, then checks that the target
 * may be restored into (the server answers; the database is empty or replacing was asked for)
 * before any long read begins.
 */
public final class RestoreConfigProcessor implements Processor {

  private final Environment environment;

  public RestoreConfigProcessor(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void process(Exchange exchange) throws Exception {
    var config = ConfigBodies.restore(exchange.getMessage().getBody());
    RestoreJob job = BackupJobs.restore(config, environment);
    job.engine().checkRestoreTarget(job.applyRequest());
    exchange.setProperty(BackyExchange.RESTORE_JOB, job);
    exchange.getMessage().setBody(null);
  }
}
