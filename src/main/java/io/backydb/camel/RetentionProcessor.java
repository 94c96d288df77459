package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.backup.Pruner;
import io.backydb.config.RetentionConfig;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code retention}: after a successful backup, applies the storage's retention policy to the
 * backups of the same database on the same server with the same features and tables ({@link
 * Pruner.Pool}), and removes that database's abandoned {@link io.backydb.backup.IncompleteBackups};
 * the backup just written is always kept. The backup itself has succeeded by now, so a failure here
 * is logged as a warning and does not fail it. Without {@code storage.retention} it does nothing.
 * The body (the backup's result) passes through.
 */
public final class RetentionProcessor implements Processor {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionProcessor.class);

  @Override
  public void process(Exchange exchange) {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    RetentionConfig rules = job.config().storage().retention();
    if (rules == null) {
      return;
    }
    Pruner.Pool pool = Pruner.Pool.of(job.config());
    try {
      // the backup just written is kept even if a backup started after it finished first
      Pruner.Result r = new Pruner(job.storage()).prune(rules, pool, job.name(), false);
      LOG.info(
          "retention: kept {} and removed {} backup(s) of {}, and {} incomplete backup(s)",
          r.kept().size(),
          r.removed().size(),
          pool,
          r.incomplete().size());
    } catch (Exception e) {
      LOG.warn(
          "retention: pruning old backups failed, the new backup {} is fine: {}",
          job.location(),
          e.getMessage(),
          e);
    }
  }
}
