package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a restore's connections wait for on the server, for the progress line of a restore that
 * makes no progress: a statement whose server thread is in a {@code Waiting for ...} state (a
 * metadata lock that another connection holds on a table, with {@code LOCK TABLES} or a long
 * transaction, say), e.g. {@code waiting for table metadata lock on table `orders`} (what the
 * statement is about: {@link StatementSubject}). Read from information_schema.PROCESSLIST, which
 * shows an account its own threads without any privilege, on a connection of its own (the restore's
 * are busy), opened at the first question.
 */
final class LockWaits implements Supplier<String>, AutoCloseable {

  private final MySqlConnections connections;

  /** The server's ids of the restore's connections, as they are opened. */
  private final Set<Long> ids;

  private Connection probe;
  private boolean closed;

  LockWaits(MySqlConnections connections, Set<Long> ids) {
    this.connections = connections;
    this.ids = ids;
  }

  /** The server's id of {@code c}'s session (what PROCESSLIST lists it by). */
  static long idOf(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** What the longest-waiting of the restore's connections waits for; null if none waits. */
  @Override
  public synchronized String get() {
    List<Long> mine = new ArrayList<>(ids);
    if (closed || mine.isEmpty()) {
      return null;
    }
    StringBuilder in = new StringBuilder();
    for (Long id : mine) {
      in.append(in.length() == 0 ? "" : ", ").append(id.longValue());
    }
    try {
      if (probe == null) {
        probe = connections.open();
      }
      try (Statement s = probe.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT STATE, LEFT(INFO, 300) FROM information_schema.PROCESSLIST WHERE ID IN ("
                      + in
                      + ") AND STATE LIKE 'Waiting for%' ORDER BY TIME DESC LIMIT 1")) {
        if (!rs.next()) {
          return null;
        }
        String state = rs.getString(1);
        String waiting = state.substring(0, 1).toLowerCase(Locale.ROOT) + state.substring(1);
        StatementSubject on = StatementSubject.of(rs.getString(2) == null ? "" : rs.getString(2));
        return on != null ? waiting + " on " + on : waiting;
      }
    } catch (SQLException e) {
      return null; // only for a status line: it goes on without
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (probe != null) {
      try {
        probe.close();
      } catch (SQLException e) {
        // nothing left to do with it
      }
    }
  }
}
