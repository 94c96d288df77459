package io.backydb.engine.mysql;

import com.mysql.cj.exceptions.CJException;
import com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ResultsetRows;
import com.mysql.cj.result.Row;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The rows of a streamed text-protocol SELECT, read forward once, each value as the bytes the
 * server sent (null for NULL).
 *
 * <p>Why not just {@link ResultSet}: Connector/J takes the connection's lock and checks the row
 * position and the column index on every {@code next()} and every {@code getBytes()}; on the
 * benchmark's 3.6 million rows that was about a tenth of a backup's client CPU (the uncontended
 * lock release alone showed as 10 % of the samples of a warm backup). The dump's reader owns its
 * connection and asks only for the columns it selected, so {@link #of} reads Connector/J's rows
 * directly, through its core protocol API ({@code com.mysql.cj.protocol}), and falls back to plain
 * JDBC for any other driver. {@code RowCursorTest} checks that both give the same dump.
 */
interface RowCursor {

  /** Moves to the next row; false after the last. */
  boolean next() throws SQLException;

  /** The current row's value of column {@code index} (0-based), or null for SQL NULL. */
  byte[] bytes(int index) throws SQLException;

  /** The fastest cursor over {@code rs}, which must come from a plain {@code Statement}. */
  static RowCursor of(ResultSet rs) throws SQLException {
    if (rs.isWrapperFor(Resultset.class)) {
      return new ConnectorJRows(rs.unwrap(Resultset.class).getRows());
    }
    return new JdbcRows(rs);
  }

  /** Through JDBC only. */
  final class JdbcRows implements RowCursor {
    private final ResultSet rs;

    JdbcRows(ResultSet rs) {
      this.rs = rs;
    }

    @Override
    public boolean next() throws SQLException {
      return rs.next();
    }

    @Override
    public byte[] bytes(int index) throws SQLException {
      return rs.getBytes(index + 1);
    }
  }

  /**
   * Connector/J's rows without the JDBC layer's per-call lock and checks. Text protocol only (a
   * plain {@code Statement}): a server-side prepared statement's rows hold binary values.
   */
  final class ConnectorJRows implements RowCursor {
    private final ResultsetRows rows;
    private Row row;

    ConnectorJRows(ResultsetRows rows) {
      this.rows = rows;
    }

    @Override
    public boolean next() throws SQLException {
      try {
        row = rows.next();
        return row != null;
      } catch (CJException e) {
        // a lost connection, a killed query: what ResultSet.next() would have thrown
        throw SQLExceptionsMapping.translateException(e);
      }
    }

    @Override
    public byte[] bytes(int index) throws SQLException {
      try {
        return row.getBytes(index);
      } catch (CJException e) {
        throw SQLExceptionsMapping.translateException(e);
      }
    }
  }
}
