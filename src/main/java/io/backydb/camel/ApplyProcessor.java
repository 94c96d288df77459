package io.backydb.camel;

import io.backydb.engine.ApplySummary;
import io.backydb.engine.DumpInput;
import io.backydb.progress.ProgressReporter;
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
    long rows = source.metadata() == null ? -1 : source.metadata().totalRows();
    ApplySummary summary;
    // closed also when the apply fails half-way: the file or the HTTP connection it reads from
    try (DumpInput dump = source.openDump();
        ProgressReporter progress =
            new ProgressReporter(
                    "restore of " + job.config().database().dbName(), rows, System::nanoTime)
                .start()) {
      summary = job.engine().apply(job.applyRequest().withProgress(progress), dump);
    }
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
