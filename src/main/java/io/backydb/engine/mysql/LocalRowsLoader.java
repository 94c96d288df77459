package io.backydb.engine.mysql;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.JdbcStatement;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a data statement's rows with {@code LOAD DATA LOCAL INFILE} ({@link LoadDataChunk}) where
 * that gives exactly what the INSERT would, on one restore connection.
 *
 * <p>The INSERT stays the reference: each chunk is loaded in a transaction of its own and committed
 * only if the server took every row without a warning; otherwise (a row skipped as a duplicate,
 * which LOCAL turns into a warning, a value adjusted, the server refusing LOCAL, any error) the
 * transaction is rolled back and the caller runs the INSERT, which fails or succeeds as it always
 * did; only a lost connection fails the load itself. So only InnoDB tables qualify (see {@link
 * #QUALIFYING_TABLES}), and only columns whose values read the same from a LOAD DATA field as from
 * the SQL literal.
 *
 * <p>No file is ever read: the connection is opened with LOCAL confined to a folder that does not
 * exist ({@link MySqlConnections#openRaw(boolean)}), then reads only from the stream this class
 * hands Connector/J for each chunk, and from an empty one in between, whatever file a server asks
 * for.
 */
final class LocalRowsLoader {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRowsLoader.class);

  /**
   * InnoDB base tables of a database (the parameter) none of whose columns has a type outside the
   * list: BIT and spatial values are written as literals LOAD DATA reads differently, and types
   * this list does not know are left to their INSERTs.
   */
  static final String QUALIFYING_TABLES =
      "SELECT t.TABLE_NAME FROM information_schema.TABLES t"
          + " WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'"
          + " AND NOT EXISTS (SELECT 1 FROM information_schema.COLUMNS c"
          + "  WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME"
          + "  AND c.DATA_TYPE NOT IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint',"
          + "  'decimal', 'float', 'double', 'char', 'varchar', 'tinytext', 'text', 'mediumtext',"
          + "  'longtext', 'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob',"
          + "  'date', 'datetime', 'timestamp', 'time', 'year', 'enum', 'set', 'json'))";

  private final Set<String> tables;
  private final AtomicBoolean refused;
  private final Statement statement;
  private final JdbcStatement driverStatement;

  /**
   * @param tables the tables whose data may be loaded this way
   * @param refused shared by the restore's connections: set once the server refuses LOCAL
   * @param connection a connection from {@link MySqlConnections#openRaw(boolean)} with local rows
   * @param statement the statement the connection's data statements run on
   */
  LocalRowsLoader(
      Set<String> tables, AtomicBoolean refused, Connection connection, Statement statement)
      throws SQLException {
    this.tables = tables;
    this.refused = refused;
    this.statement = statement;
    this.driverStatement = statement.unwrap(JdbcStatement.class);
    driverStatement.setLocalInfileInputStream(InputStream.nullInputStream());
    // from now on Connector/J sends the stream set here, never a file
    connection
        .unwrap(JdbcConnection.class)
        .getPropertySet()
        .getBooleanProperty(PropertyKey.allowLoadLocalInfile)
        .setValue(true);
  }

  /**
   * Loads the rows of {@code insert}, a data statement of {@code table}; returns how many, or -1
   * when nothing was loaded and the INSERT is to run instead.
   */
  long load(String table, String insert) throws SQLException {
    if (refused.get() || !tables.contains(table)) {
      return -1;
    }
    LoadDataChunk chunk = LoadDataChunk.of(insert);
    if (chunk == null) {
      return -1;
    }
    boolean committed = false;
    try {
      statement.execute("START TRANSACTION");
      driverStatement.setLocalInfileInputStream(new ByteArrayInputStream(chunk.rows()));
      statement.execute(chunk.sql());
      long loaded = statement.getLargeUpdateCount();
      if (loaded == chunk.rowCount() && statement.getWarnings() == null) {
        statement.execute("COMMIT");
        committed = true;
        return loaded;
      }
      LOG.debug(
          "LOAD DATA of {} row(s) of table {} gave {} row(s) or warnings; running its INSERT",
          chunk.rowCount(),
          table,
          loaded);
      return -1;
    } catch (SQLException e) {
      if (isLostConnection(e)) {
        throw e; // the INSERT could only fail the same way, with a vaguer message
      }
      if (isRefusal(e) && refused.compareAndSet(false, true)) {
        LOG.info(
            "the server does not allow LOAD DATA LOCAL INFILE ({}); the data is restored with"
                + " its INSERT statements, which takes the server more time",
            MySqlConnections.firstLine(e));
      } else {
        LOG.debug("LOAD DATA into table {} failed; running its INSERT: {}", table, e.toString());
      }
      return -1;
    } finally {
      // Connector/J drops a closed statement's session, and this would then fail with a
      // NullPointerException in place of the error that closed it
      if (!statement.isClosed()) {
        driverStatement.setLocalInfileInputStream(InputStream.nullInputStream());
        if (!committed) {
          rollBack();
        }
      }
    }
  }

  private void rollBack() {
    try {
      statement.execute("ROLLBACK");
    } catch (SQLException e) {
      // the INSERT that follows meets the same trouble and reports it
      LOG.debug("rolling back a LOAD DATA: {}", e.toString());
    }
  }

  /** The connection is gone or its statement was stopped: killed, cancelled, cut off. */
  private boolean isLostConnection(SQLException e) throws SQLException {
    return MySqlConnections.isLostConnection(e)
        || e.getErrorCode() == 1317 // query interrupted
        || statement.isClosed();
  }

  /**
   * The server or its settings refuse LOCAL: 1148 (older servers), 3948 (MySQL 8), 4166 (MariaDB).
   */
  private static boolean isRefusal(SQLException e) {
    return e.getErrorCode() == 1148 || e.getErrorCode() == 3948 || e.getErrorCode() == 4166;
  }
}
