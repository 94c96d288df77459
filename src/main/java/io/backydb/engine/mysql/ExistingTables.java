package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tables a restore loads rows into without creating them (the backup holds no definitions, or
 * the restore's features leave them out): they must exist before anything is applied, and with
 * {@code replace_existing} each is emptied just before its rows are loaded, so that it ends up with
 * exactly the backup's rows and a restore run again gives the same tables, not duplicates.
 *
 * <p>A table is emptied with {@code TRUNCATE TABLE}: fast whatever its size, it fires no trigger of
 * the target's, and with foreign key checks off (as for the whole restore) neither cascades nor
 * fails on a table other tables refer to. MariaDB refuses TRUNCATE on a system-versioned table, so
 * its rows are deleted and then its history (its own DELETE triggers fire there). A sequence is
 * restarted: the dump's {@code SETVAL}, which never moves a sequence back, then sets its value and
 * cycle round.
 */
final class ExistingTables {

  private static final String SEQUENCE = "SEQUENCE";
  private static final String VERSIONED = "SYSTEM VERSIONED";

  /** Table name → TABLE_TYPE, for the tables rows can be loaded into (not views). */
  private final Map<String, String> types;

  private boolean foreignKeyChecksOff;

  private ExistingTables(Map<String, String> types) {
    this.types = types;
  }

  /** The tables {@code database} has now (none if it does not exist). */
  static ExistingTables of(Connection c, String database) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_TYPE IN ('BASE TABLE', '"
                + VERSIONED
                + "', '"
                + SEQUENCE
                + "')")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return new ExistingTables(types);
  }

  /** The tables of {@code needed} that are not there, in name order. */
  Set<String> missing(Set<String> needed) {
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(types.keySet());
    return missing;
  }

  /**
   * Empties {@code table} on {@code c}, a connection with the database selected. A table that is
   * not there is left to the statements that load it, which then fail naming it.
   */
  void empty(Connection c, String table) throws SQLException {
    String type = types.get(table);
    if (type == null) {
      return;
    }
    String name = SqlText.quoteIdent(table);
    try (Statement s = c.createStatement()) {
      if (!foreignKeyChecksOff) {
        // as on the connections that load the rows: the tables are refilled one after the other
        s.execute("SET SESSION foreign_key_checks = 0");
        foreignKeyChecksOff = true;
      }
      if (type.equals(SEQUENCE)) {
        s.execute("ALTER SEQUENCE " + name + " RESTART");
      } else if (type.equals(VERSIONED)) {
        s.execute("DELETE FROM " + name);
        s.execute("DELETE HISTORY FROM " + name);
      } else {
        s.execute("TRUNCATE TABLE " + name);
      }
    }
  }
}
