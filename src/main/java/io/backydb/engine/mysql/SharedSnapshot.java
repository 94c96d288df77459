package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections that read one and the same consistent snapshot, so that a dump can read tables on
 * several of them at once and still be the database as of one moment.
 *
 * <p>MariaDB cannot hand a snapshot from one session to another. So, for the instant it takes to
 * open the snapshots, a separate session holds {@code LOCK TABLES ... READ} on the tables being
 * dumped: no transaction can commit a change to them in between, and every snapshot started
 * meanwhile sees the same data. Other tables stay writable, and the lock is held for milliseconds
 * (it waits at most {@value #LOCK_WAIT_SECONDS} s for running writes to those tables).
 *
 * <p>When the lock cannot be taken (no LOCK TABLES privilege, a long transaction in the way, a
 * table dropped meanwhile), the dump falls back to one connection and says so in the log: slower,
 * never inconsistent.
 */
final class SharedSnapshot {

  private static final Logger LOG = LoggerFactory.getLogger(SharedSnapshot.class);

  static final int LOCK_WAIT_SECONDS = 10;

  private SharedSnapshot() {}

  /**
   * Starts the snapshot on {@code coordinator} and on up to {@code threads - 1} new connections.
   *
   * @param qualifiedTables the tables being dumped, as {@code `db`.`t`}
   * @return the coordinator first, then the others, all inside the same snapshot
   */
  static List<Connection> start(
      MySqlConnections connections,
      Connection coordinator,
      int threads,
      List<String> qualifiedTables)
      throws SQLException {
    prepare(coordinator);
    List<Connection> all = new ArrayList<>();
    all.add(coordinator);
    if (threads <= 1 || qualifiedTables.isEmpty()) {
      begin(coordinator);
      return all;
    }
    // the readers are connected and set up first, so that the lock lasts only as long as it takes
    // to start their transactions
    try {
      for (int i = 1; i < threads; i++) {
        Connection c = connections.open();
        all.add(c);
        prepare(c);
      }
    } catch (SQLException | RuntimeException e) {
      closeOthers(all);
      throw e;
    }
    try (Connection lock = connections.open()) {
      try (Statement s = lock.createStatement()) {
        s.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS);
        s.execute("LOCK TABLES " + String.join(" READ, ", qualifiedTables) + " READ");
      } catch (SQLException e) {
        LOG.warn(
            "dumping on one connection: could not lock the tables for a moment to share one"
                + " snapshot among {} connections ({})",
            threads,
            MySqlConnections.firstLine(e));
        closeOthers(all);
        all.subList(1, all.size()).clear();
        begin(coordinator);
        return all;
      }
      try {
        for (Connection c : all) {
          begin(c);
        }
      } catch (SQLException | RuntimeException e) {
        closeOthers(all);
        throw e;
      }
      try (Statement s = lock.createStatement()) {
        s.execute("UNLOCK TABLES");
      }
    } catch (SQLException | RuntimeException e) {
      closeOthers(all);
      throw e;
    }
    return all;
  }

  /** Closes every connection but the coordinator. */
  static void closeOthers(List<Connection> all) {
    for (int i = 1; i < all.size(); i++) {
      try {
        all.get(i).close();
      } catch (SQLException e) {
        LOG.debug("closing a dump connection: {}", MySqlConnections.firstLine(e));
      }
    }
  }

  /** A fixed session: timestamps in UTC, no surprises from global modes, a patient server. */
  private static void prepare(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_mode = ''");
      s.execute("SET SESSION time_zone = '+00:00'");
      // the reader may be slowed down by compression or a slow disk; do not let the server give up
      s.execute("SET SESSION net_write_timeout = 3600");
      s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
    c.setAutoCommit(false);
  }

  private static void begin(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    }
  }
}
