package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Why {@code information_schema.SCHEMATA} has no row for a database: it does not exist, or the
 * account has no privilege on it, which hides it just the same. The server tells the two apart only
 * to an account that may know: {@code USE db} answers "Unknown database" (1049) where the account
 * has some privilege that would cover it, and "Access denied" (1044) where it has none, whether the
 * database exists or not (so that such an account cannot probe for names).
 */
enum UnlistedDatabase {
  /** The server says it does not exist. */
  MISSING,
  /** The account has no privilege on it: it may or may not exist. */
  HIDDEN,
  /** It is there after all (created since it was looked for). */
  THERE;

  private static final int ER_DBACCESS_DENIED = 1044;
  private static final int ER_BAD_DB = 1049;

  /**
   * Asks the server about {@code database}, which SCHEMATA did not list, on {@code c}; leaves the
   * connection's current database as it was unless the database is there.
   */
  static UnlistedDatabase of(Connection c, String database) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("USE " + SqlText.quoteIdent(database));
      return THERE;
    } catch (SQLException e) {
      if (e.getErrorCode() == ER_BAD_DB) {
        return MISSING;
      }
      if (e.getErrorCode() == ER_DBACCESS_DENIED) {
        return HIDDEN;
      }
      throw e;
    }
  }

  /**
   * The one-line error for a database the account on {@code c} cannot see: it names the account
   * (user and host as the server matched them, never a password) and says that the database does
   * not exist or the account has no privilege on it, since the server will not tell which.
   *
   * @param what what was being done, e.g. "back up"
   */
  static BackyException hidden(
      Connection c, String database, MySqlConnections connections, String what)
      throws SQLException {
    String account = currentUser(c);
    return new BackyException(
        ErrorCode.DATABASE,
        "user "
            + account
            + " cannot "
            + what
            + " database '"
            + database
            + "' on "
            + connections.config().host()
            + ":"
            + connections.config().port()
            + ": it does not exist, or the account has no privilege on it (the server does not"
            + " tell an account without one which); check database.db_name, or grant the account"
            + " privileges on `"
            + database
            + "`.*");
  }

  /**
   * The account on {@code c} as the server matched it ({@code user@host}), for errors that name it:
   * never the password, and the host part the grants are written for.
   */
  static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
