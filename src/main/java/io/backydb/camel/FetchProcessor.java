package io.backydb.camel;

import io.backydb.restore.BackupSource;
import io.backydb.restore.FeatureSelection;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code fetch}: locates the backup in its storage, and checks, where its sidecar tells, that
 * it holds the tables the restore is limited to and some of the features it asks for; the body
 * becomes its {@link BackupSource}.
 */
public final class FetchProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    BackupSource source = BackupSource.locate(job.storage(), job.config().backupPath());
    // a misspelt table fails now, not after a long read that then restores nothing
    source.requireTables(job.applyRequest().tables());
    FeatureSelection.requireSome(
        source.location(),
        job.config().database().features(),
        FeatureSelection.heldBySidecar(source.metadata()));
    job.source(source);
    exchange.getMessage().setBody(source);
  }
}
