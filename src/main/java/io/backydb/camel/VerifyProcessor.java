package io.backydb.camel;

import io.backydb.engine.DumpContents;
import io.backydb.engine.DumpScanner;
import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.restore.FeatureSelection;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code verify}: reads the whole backup — decrypted and decompressed down to its end — and
 * checks its integrity before a single statement reaches the database; a damaged backup, or a wrong
 * INTEGRITY_PASSWORD, stops the route here. A backup with nothing to check its content against (a
 * plain {@code .sql} without its sidecar) goes on, with a warning in the log. It runs after {@code
 * decrypt} and {@code decompress}, which only set the decoding up. The same read learns what the
 * dump holds, statement by statement, for the sidecar to be compared with and for {@code apply} to
 * check the target against before its first statement; a table the dump does not hold, or features
 * of which it holds none, are refused here.
 */
public final class VerifyProcessor implements Processor {

  private static final Logger LOG = LoggerFactory.getLogger(VerifyProcessor.class);

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    BackupSource source = exchange.getMessage().getMandatoryBody(BackupSource.class);
    // the HMAC key it derives checks apply's read too; overwritten when the restore is over,
    // however it ends
    BackyExchange.onDone(exchange, source::destroyIntegrityKey);
    // what the dump holds is learnt on this read, where apply needs it, not by reading it again,
    // and the sidecar's account of it compared: every check apply makes before its first statement
    // (the target's tables, privileges, definers, packet size, character sets) depends on it
    DumpScanner scanner = job.engine().newDumpScanner();
    BackupVerifier.Report r =
        new BackupVerifier(job.environment(), job.config().hmacRequired(job.environment()))
            .refuseDamaged(source, scanner);
    if (r.nothingToCompare() != null) {
      // restored all the same (a user's own dump, say), but not as verified
      LOG.warn(
          "backup {} is restored unverified: it is complete, but there is nothing to check its"
              + " content against ({})",
          r.location(),
          r.nothingToCompare());
    }
    DumpContents contents = scanner.contents();
    // a table not in the backup fails here, before any statement, sidecar or not
    source.requireTables(job.config().database().tables(), contents.allTables());
    // as for features: a selection of none the dump holds would apply nothing and succeed
    FeatureSelection.requireSome(
        source.location(), job.config().database().features(), contents.sections());
    job.contents(contents);
  }
}
