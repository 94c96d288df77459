package io.backydb.camel;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Names of the exchange properties the backup and restore routes use. The body between steps is the
 * backup stream itself ({@link java.io.InputStream}); the job travels beside it.
 */
public final class BackyExchange {

  /** The {@link io.backydb.backup.BackupJob} of a backup route. */
  public static final String BACKUP_JOB = "backy.backupJob";

  /** The {@link io.backydb.restore.RestoreJob} of a restore route. */
  public static final String RESTORE_JOB = "backy.restoreJob";

  private BackyExchange() {}

  /** Runs {@code undo} if {@code exchange} fails, wherever in the route (and after it) it fails. */
  static void onFailure(Exchange exchange, Runnable undo) {
    exchange
        .getExchangeExtension()
        .addOnCompletion(
            new SynchronizationAdapter() {
              @Override
              public void onFailure(Exchange failed) {
                undo.run();
              }
            });
  }

  /**
   * Runs {@code release} once {@code exchange} is over, whether it succeeded or failed, wherever in
   * the route (and after it) it ended.
   */
  static void onDone(Exchange exchange, Runnable release) {
    exchange
        .getExchangeExtension()
        .addOnCompletion(
            new SynchronizationAdapter() {
              @Override
              public void onDone(Exchange done) {
                release.run();
              }
            });
  }
}
