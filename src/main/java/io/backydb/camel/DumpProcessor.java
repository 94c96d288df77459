package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.config.DatabaseConfig;
import io.backydb.engine.DatabaseEngine.DumpRequest;
import io.backydb.engine.DumpSummary;
import io.backydb.format.BundleWriter;
import io.backydb.progress.ProgressReporter;
import io.backydb.stream.AsyncPipe;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code dump}: starts dumping the database on its own thread; the body becomes the dump as a
 * stream (a bundle of SQL files), which the following steps wrap and {@code store} pulls through.
 */
public final class DumpProcessor implements Processor {

  @Override
  public void process(Exchange exchange) {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    DatabaseConfig db = job.config().database();
    // progress on a terminal, or a log line every 30 s; ends with the dump
    ProgressReporter progress =
        new ProgressReporter("backup of " + db.dbName(), -1, System::nanoTime).start();
    DumpRequest request =
        new DumpRequest(db.backupFeatures(), db.tables(), db.multipleFiles(), progress);
    AsyncPipe<DumpSummary> pipe =
        AsyncPipe.start(
            "backy-dump-" + db.dbName(),
            out -> {
              try (progress;
                  BundleWriter bundle = new BundleWriter(out)) {
                DumpSummary summary = job.engine().dump(request, bundle);
                bundle.finish();
                // the SQL's size, as the metadata promises, not the bundle's framing around it
                job.addDumpBytes(bundle.contentBytes());
                return summary;
              }
            });
    job.dump(pipe.result());
    // a later step that fails (a key service that refuses, say) must not leave the threads of the
    // dump and of the steps between waiting forever, with the snapshot held open on the server
    BackyExchange.onFailure(exchange, job::stopStages);
    exchange.getMessage().setBody(job.stage(pipe));
  }
}
