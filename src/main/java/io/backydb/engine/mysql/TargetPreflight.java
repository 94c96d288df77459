package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Refuses, after the backup was verified and before its first statement runs, a restore that the
 * target server's state would stop half-way, after some objects were created: a server in read-only
 * mode for the restore's account, or a statement of the backup larger than the server's {@code
 * max_allowed_packet}. Each is one line naming the problem and the remedy, ending {@code nothing was
 * applied}: the target database is not even created yet.
 *
 * <p>The statement sizes come from the verify pass's read of the dump ({@link
 * DumpContents#largestStatements()}), known where the restore read every statement: a restore
 * limited to features or tables, or of a backup without a sidecar. A whole restore of a backup with
 * one reads only the start of each file, so a statement too large for the server still stops it
 * where it comes (with what was applied so far), as it always did.
 */
final class TargetPreflight {

  /** ER_OPTION_PREVENTS_STATEMENT: what a read-only server answers a write of an account bound by it. */
  private static final int ER_OPTION_PREVENTS_STATEMENT = 1290;

  /**
   * What a statement leaves of {@code max_allowed_packet}: the restore's check of each statement
   * refuses one within this of the limit (the packet carries more than the statement's text).
   */
  private static final long PACKET_MARGIN = 1024;

  private TargetPreflight() {}

  /** Runs every check on {@code c}, the restore's own connection, before the first statement. */
  static void check(Connection c, MySqlConnections connections, ApplyRequest request)
      throws SQLException {
    refuseReadOnly(c, connections);
    refuseLargeStatements(c, connections, request);
  }

  /**
   * A server with {@code read_only} on (MySQL's {@code super_read_only} turns it on too) refuses
   * every write of an account without {@code READ_ONLY ADMIN} (MariaDB) or {@code SUPER} /
   * {@code CONNECTION_ADMIN} (MySQL), DDL included. Which accounts it binds is the server's rule,
   * so the server is asked: a {@code CREATE TABLE} that declares a column twice, which it refuses
   * for read-only mode before it looks at the table, and otherwise for the column, creating
   * nothing. Only asked where {@code read_only} is on.
   */
  private static void refuseReadOnly(Connection c, MySqlConnections connections)
      throws SQLException {
    if (!"1".equals(Queries.column(c, "SELECT @@global.read_only").get(0))) {
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + SqlText.quoteIdent(connections.config().dbName())
              + ".`backy_read_only_probe` (`a` INT, `a` INT)");
    } catch (SQLException e) {
      if (e.getErrorCode() != ER_OPTION_PREVENTS_STATEMENT) {
        return; // the account writes despite read_only (the column twice, or the database missing)
      }
      throw new BackyException(
          ErrorCode.DATABASE,
          "the target server "
              + connections.config().host()
              + ":"
              + connections.config().port()
              + " is in read-only mode (read_only is ON) and user "
              + UnlistedDatabase.currentUser(c)
              + " may not write while it is: restore into a server that takes writes (the primary,"
              + " or SET GLOBAL read_only = OFF), or as an account with the READ_ONLY ADMIN"
              + " privilege (MySQL: SUPER); nothing was applied",
          e);
    }
  }

  /**
   * The restore checks each statement against {@code max_allowed_packet} before it sends it, but a
   * larger one late in the dump came after the tables and the rows before it; the verify pass
   * measured every statement, so the largest the restore selects is compared here first.
   */
  private static void refuseLargeStatements(
      Connection c, MySqlConnections connections, ApplyRequest request) throws SQLException {
    DumpContents contents = request.contents();
    if (contents == null) {
      return;
    }
    Feature largestFeature = null;
    String largestTable = null;
    long largest = -1;
    for (Map.Entry<Feature, Map<String, Long>> f : contents.largestStatements().entrySet()) {
      for (Map.Entry<String, Long> t : f.getValue().entrySet()) {
        if (t.getValue() > largest && selects(request, f.getKey(), t.getKey())) {
          largestFeature = f.getKey();
          largestTable = t.getKey();
          largest = t.getValue();
        }
      }
    }
    long maxPacket = Long.parseLong(Queries.column(c, "SELECT @@max_allowed_packet").get(0));
    if (largest <= maxPacket - PACKET_MARGIN) {
      return;
    }
    throw new BackyException(
        ErrorCode.DATABASE,
        "the backup holds a statement of "
            + largest
            + " bytes ("
            + largestFeature.key()
            + (largestTable.isEmpty() ? "" : " of table " + SqlText.quoteIdent(largestTable))
            + "), more than the target server "
            + connections.config().host()
            + ":"
            + connections.config().port()
            + " takes (max_allowed_packet is "
            + maxPacket
            + "): raise it (SET GLOBAL max_allowed_packet = "
            + (largest / (1 << 20) + 2)
            + " * 1024 * 1024; in the server's config too, to keep it) and restore again;"
            + " nothing was applied");
  }

  /**
   * Whether the restore runs the statements of {@code feature} that belong to {@code table} ({@code
   * ""}: to none), as the applier selects them: a restore limited to tables runs only their
   * definitions, rows and triggers.
   */
  private static boolean selects(ApplyRequest request, Feature feature, String table) {
    if (request.features() != null && !request.features().has(feature)) {
      return false;
    }
    if (request.tables().isEmpty()) {
      return true;
    }
    boolean ofTables =
        feature == Feature.TABLES || feature == Feature.DATA || feature == Feature.TRIGGERS;
    return ofTables && (table.isEmpty() || request.tables().contains(table));
  }
}
