package io.backydb.camel;

import io.backydb.engine.ApplySummary;
import io.backydb.restore.BackupSource;
import io.backydb.restore.RestoreJob;
import io.backydb.restore.RestoreResult;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Step {@code apply}: runs the backup's statements against the target database. */
public final class ApplyProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    BackupSource source = exchange.getMessage().getMandatoryBody(BackupSource.class);
    ApplySummary summary = job.engine().apply(job.applyRequest(), source.openDump());
    job.summary(summary);
    exchange
        .getMessage()
        .setBody(
            new RestoreResult(
                source.location(),
                job.config().database().dbName(),
                summary,
                Duration.between(job.startedAt(), Instant.now()).toMillis()));
  }
}
