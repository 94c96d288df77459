package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses, after the backup was verified and before its first statement runs, a restore that the
 * target server's state would stop half-way, after some objects were created: a server in read-only
 * mode for the restore's account, a statement of the backup larger than the server's {@code
 * max_allowed_packet}, or a character set or collation the server does not know. Each is one line
 * naming the problem and the remedy, ending {@code nothing was applied}: the target database is not
 * even created yet.
 *
 * <p>The statement sizes and the names come from the verify pass's read of every statement of the
 * dump ({@link DumpContents#largestStatements()}, {@link DumpContents#collations()}). What does not
 * stop a restore is not refused here: a storage engine the target lacks is warned of ({@link
 * MissingEngines}).
 */
final class TargetPreflight {

  /**
   * ER_OPTION_PREVENTS_STATEMENT: what a read-only server answers a write of an account bound by
   * it.
   */
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
    refuseUnknownCharsets(c, connections, request);
  }

  /** ER_UNKNOWN_CHARACTER_SET, ER_UNKNOWN_COLLATION: a name the server does not know. */
  private static final Set<Integer> UNKNOWN_NAME = Set.of(1115, 1273);

  /**
   * A table or routine of a character set or collation the target does not know (a dump of MySQL
   * 8's {@code utf8mb4_0900_ai_ci} restored into MariaDB 10.11) fails to be created, after the
   * objects before it. The names the selected statements use are looked up in the server's lists;
   * one missing there is asked of the server itself, which also takes aliases it does not list
   * ({@code utf8} for {@code utf8mb3}).
   */
  private static void refuseUnknownCharsets(
      Connection c, MySqlConnections connections, ApplyRequest request) throws SQLException {
    DumpContents contents = request.contents();
    if (contents == null) {
      return;
    }
    Set<String> unknown = new TreeSet<>();
    Set<String> charsets = selectedNames(request, contents.characterSets());
    Set<String> collations = selectedNames(request, contents.collations());
    charsets.removeAll(
        Queries.column(
            c, "SELECT LOWER(CHARACTER_SET_NAME) FROM information_schema.CHARACTER_SETS"));
    collations.removeAll(
        Queries.column(c, "SELECT LOWER(COLLATION_NAME) FROM information_schema.COLLATIONS"));
    for (String cs : charsets) {
      if (!knows(c, "SELECT CONVERT('' USING " + cs + ")")) {
        unknown.add("character set " + cs);
      }
    }
    for (String co : collations) {
      // a collation of another character set fails as such, not as unknown
      if (!knows(c, "SELECT _utf8mb4'' COLLATE " + co)) {
        unknown.add("collation " + co);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    throw new BackyException(
        ErrorCode.DATABASE,
        "the backup's definitions use "
            + String.join(", ", unknown)
            + ", which the target server "
            + connections.config().host()
            + ":"
            + connections.config().port()
            + " does not know (a backup of another server version or kind): restore into a"
            + " server that has "
            + (unknown.size() == 1 ? "it" : "them")
            + ", or back the source up after converting its tables and routines to a character"
            + " set and collation both servers have; nothing was applied");
  }

  /** Whether the server runs {@code probe} without an unknown name (names are [a-z0-9_]). */
  private static boolean knows(Connection c, String probe) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(probe);
      return true;
    } catch (SQLException e) {
      if (UNKNOWN_NAME.contains(e.getErrorCode())) {
        return false;
      }
      return true;
    }
  }

  /** The names of the statements the restore selects. */
  private static Set<String> selectedNames(
      ApplyRequest request, Map<Feature, Map<String, Set<String>>> names) {
    Set<String> all = new TreeSet<>();
    names.forEach(
        (f, byTable) ->
            byTable.forEach(
                (table, n) -> {
                  if (request.selects(f, table)) {
                    all.addAll(n);
                  }
                }));
    return all;
  }

  /**
   * A server with {@code read_only} on (MySQL's {@code super_read_only} turns it on too) refuses
   * every write of an account without {@code READ_ONLY ADMIN} (MariaDB) or {@code SUPER} / {@code
   * CONNECTION_ADMIN} (MySQL), DDL included. Which accounts it binds is the server's rule, so the
   * server is asked: a {@code CREATE TABLE} that declares a column twice, which it refuses for
   * read-only mode before it looks at the table, and otherwise for the column, creating nothing.
   * Only asked where {@code read_only} is on.
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
        if (t.getValue() > largest && request.selects(f.getKey(), t.getKey())) {
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
}
