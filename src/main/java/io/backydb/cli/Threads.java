package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.DatabaseConfig;

/** The {@code --threads} option of backup and restore. */
final class Threads {

  private Threads() {}

  static DatabaseConfig apply(DatabaseConfig db, int n) {
    if (n < 1 || n > 64) {
      throw new BackyException(
          ErrorCode.CONFIG, "--threads must be between 1 and 64 (got " + n + ")");
    }
    return db.withThreads(n);
  }
}
