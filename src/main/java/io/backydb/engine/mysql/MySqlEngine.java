package io.backydb.engine.mysql;

import io.backydb.config.DatabaseConfig;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine;
import io.backydb.engine.DumpInput;
import io.backydb.engine.DumpOutput;
import io.backydb.engine.DumpScanner;
import io.backydb.engine.DumpSummary;

/** MySQL 8.x and MariaDB 10.x through MySQL Connector/J. */
public final class MySqlEngine implements DatabaseEngine {

  private final MySqlConnections connections;

  public MySqlEngine(DatabaseConfig config, String password) {
    this.connections = new MySqlConnections(config, password);
  }

  @Override
  public DumpSummary dump(DumpRequest request, DumpOutput output) throws Exception {
    try {
      return new MySqlDumper(connections, request).dump(output);
    } catch (java.sql.SQLException e) {
      throw new io.backydb.BackyException(
          io.backydb.ErrorCode.DATABASE,
          "backup of database '"
              + connections.config().dbName()
              + "' failed: "
              + MySqlConnections.firstLine(e),
          e);
    }
  }

  @Override
  public void checkRestoreTarget(ApplyRequest request) throws Exception {
    new MySqlApplier(connections, request).checkTarget();
  }

  @Override
  public DumpScanner newDumpScanner() {
    return dumpScanner();
  }

  /**
   * A reader of what a dump holds, for those who read a backup without a database to restore it to
   * ({@code backy verify}): it needs no connection.
   */
  public static DumpScanner dumpScanner() {
    return new DumpDirectivesScanner();
  }

  @Override
  public ApplySummary apply(ApplyRequest request, DumpInput input) throws Exception {
    return new MySqlApplier(connections, request).apply(input);
  }
}
