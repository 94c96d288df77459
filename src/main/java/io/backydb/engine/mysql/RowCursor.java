package io.backydb.engine.mysql;

import com.mysql.cj.exceptions.CJException;
import com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ResultsetRows;
import com.mysql.cj.result.Row;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The rows of a streamed text-protocol SELECT, read forward once, each value as the bytes the
 * server sent. A value is read in place: {@link #column} chooses it (false for NULL), then {@link
 * #array}, {@link #offset} and {@link #length} give its bytes until the next call.
 *
 * <p>{@link #query} reads the rows off the connection's socket ({@link WireRows}) where it can, and
 * otherwise through Connector/J's row objects ({@link ConnectorJRows}), or JDBC for another driver.
 * {@code RowCursorTest} checks that all give the same dump.
 */
interface RowCursor extends AutoCloseable {

  /** Moves to the next row; false after the last. */
  boolean next() throws SQLException;

  /** Chooses the current row's column {@code index} (0-based); false when it is SQL NULL. */
  boolean column(int index) throws SQLException;

  /** The array that holds the chosen value. */
  byte[] array();

  /** Where the chosen value starts in {@link #array}. */
  int offset();

  /** The chosen value's length in bytes. */
  int length();

  /** Reads what is left of the rows, so that the connection can run its next statement. */
  @Override
  void close() throws SQLException;

  /** Runs {@code sql}, a SELECT, on {@code c}, which no other thread uses meanwhile. */
  static RowCursor query(Connection c, String sql) throws SQLException {
    RowCursor wire = WireRows.open(c, sql);
    if (wire != null) {
      return wire;
    }
    Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    try {
      s.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream rows one by one
      ResultSet rs = s.executeQuery(sql);
      return rs.isWrapperFor(Resultset.class)
          ? new ConnectorJRows(s, rs.unwrap(Resultset.class).getRows())
          : new JdbcRows(s, rs);
    } catch (SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A value read as a whole array, as the driver's row objects give it. */
  abstract class ArrayValues implements RowCursor {
    private final Statement statement;
    private byte[] value;

    ArrayValues(Statement statement) {
      this.statement = statement;
    }

    abstract byte[] bytes(int index) throws SQLException;

    @Override
    public boolean column(int index) throws SQLException {
      value = bytes(index);
      return value != null;
    }

    @Override
    public byte[] array() {
      return value;
    }

    @Override
    public int offset() {
      return 0;
    }

    @Override
    public int length() {
      return value.length;
    }

    @Override
    public void close() throws SQLException {
      statement.close(); // closes the result set, which reads its rows to the end
    }
  }

  /** Through JDBC only. */
  final class JdbcRows extends ArrayValues {
    private final ResultSet rs;

    JdbcRows(Statement statement, ResultSet rs) {
      super(statement);
      this.rs = rs;
    }

    @Override
    public boolean next() throws SQLException {
      return rs.next();
    }

    @Override
    byte[] bytes(int index) throws SQLException {
      return rs.getBytes(index + 1);
    }
  }

  /**
   * Connector/J's rows without the JDBC layer's per-call lock and checks (which cost about a tenth
   * of a backup's client CPU). Text protocol only (a plain {@code Statement}): a server-side
   * prepared statement's rows hold binary values.
   */
  final class ConnectorJRows extends ArrayValues {
    private final ResultsetRows rows;
    private Row row;

    ConnectorJRows(Statement statement, ResultsetRows rows) {
      super(statement);
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
    byte[] bytes(int index) throws SQLException {
      try {
        return row.getBytes(index);
      } catch (CJException e) {
        throw SQLExceptionsMapping.translateException(e);
      }
    }
  }
}
