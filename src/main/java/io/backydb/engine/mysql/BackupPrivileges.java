package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.config.Features;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Refuses a backup whose account cannot see everything the selected features take. The server does
 * not say when it hides something: information_schema, SHOW TRIGGERS and SHOW EVENTS leave out,
 * without an error, the tables, routines, triggers and events the account has no privilege on, so
 * such a backup would be incomplete and look complete. The account needs:
 *
 * <ul>
 *   <li>SELECT on the whole database for tables, data and triggers (a grant on single tables hides
 *       the others), unless the backup names its tables; and for views always;
 *   <li>SHOW VIEW on the database (or on each view) for views;
 *   <li>TRIGGER on the database (or on each table backed up) for triggers;
 *   <li>EVENT on the database for events;
 *   <li>for functions and procedures, the right to read every routine's definition: SELECT on
 *       mysql.proc (MariaDB), SHOW_ROUTINE or global SELECT (MySQL 8); short of that, a privilege
 *       that lists every routine (EXECUTE, CREATE ROUTINE, ALTER ROUTINE or, from MariaDB 11.3,
 *       SHOW CREATE ROUTINE on the database) while the server shows the body of each (it does for
 *       the account's own routines, and for all with SHOW CREATE ROUTINE).
 * </ul>
 *
 * <p>Privileges of the session's roles count as the account's own: the session has them.
 *
 * <p>The account's grants ({@link AccountGrants}) answer most of this in one query, so an account
 * with global privileges costs two queries in all. Where they do not show a privilege, the server
 * is asked directly where it can be, which also covers anything the grants' text is not understood
 * for: a SELECT from a table that does not exist fails with "doesn't exist" (1146) when the account
 * has SELECT on the database and with "denied" (1142) when not; SHOW EVENTS fails (1044) without
 * EVENT; a SELECT from mysql.proc fails without SELECT on it.
 */
final class BackupPrivileges {

  private static final int ER_DBACCESS_DENIED = 1044;
  private static final int ER_TABLEACCESS_DENIED = 1142;
  private static final int ER_NO_SUCH_TABLE = 1146;

  private final Connection c;
  private final String database;
  private final String account;
  private final boolean mariaDb;
  private final AccountGrants grants;

  /** Whether the account has SELECT on the whole database, once asked. */
  private Boolean selectsWholeDatabase;

  private BackupPrivileges(
      Connection c, String database, String account, boolean mariaDb, AccountGrants grants) {
    this.c = c;
    this.database = database;
    this.account = account;
    this.mariaDb = mariaDb;
    this.grants = grants;
  }

  /**
   * Throws a one-line {@link BackyException} naming the database, the feature and the privilege
   * missing if the account cannot see everything {@code features} takes.
   *
   * @param tables the tables being backed up
   * @param allTables whether they are all the database's tables (no {@code database.tables})
   */
  static void check(
      Connection c, String database, Features features, List<String> tables, boolean allTables)
      throws SQLException {
    SessionAccount account = SessionAccount.of(c);
    new BackupPrivileges(c, database, account.name(), account.mariaDb(), account.grants())
        .check(features, tables, allTables);
  }

  private void check(Features features, List<String> tables, boolean allTables)
      throws SQLException {
    for (Feature f : features.selected()) {
      switch (f) {
        case TABLES, DATA -> {
          if (allTables) {
            requireSelect(f);
          }
        }
        case VIEWS -> {
          requireSelect(f);
          requireShowView();
        }
        case TRIGGERS -> {
          if (allTables) {
            requireSelect(f);
          }
          requireTrigger(tables);
        }
        case EVENTS -> requireEvent();
        case FUNCTIONS -> requireRoutines(f, "FUNCTION");
        case PROCEDURES -> requireRoutines(f, "PROCEDURE");
      }
    }
  }

  private void requireSelect(Feature f) throws SQLException {
    if (selectsWholeDatabase == null) {
      selectsWholeDatabase = grants.onDatabase("SELECT", database) || selectsFromTheWholeDatabase();
    }
    if (selectsWholeDatabase) {
      return;
    }
    String remedy =
        f == Feature.VIEWS
            ? "grant it, or switch the views feature off"
            : "a grant on single tables hides the others: grant it on the database, or name the"
                + " tables to back up in database.tables";
    throw refused(f, "the SELECT privilege on " + database + ".*", remedy);
  }

  /** Asks the server: SELECT from a table that does not exist is denied without SELECT on db.*. */
  private boolean selectsFromTheWholeDatabase() throws SQLException {
    String probe = "backy_privilege_probe_" + UUID.randomUUID().toString().replace("-", "");
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT 1 FROM " + qualified(probe) + " LIMIT 0").close();
      return true; // a table by that name exists after all, and may be read
    } catch (SQLException e) {
      if (e.getErrorCode() == ER_NO_SUCH_TABLE) {
        return true;
      }
      if (e.getErrorCode() == ER_TABLEACCESS_DENIED) {
        return false;
      }
      throw e;
    }
  }

  private void requireShowView() throws SQLException {
    if (grants.onDatabase("SHOW VIEW", database)) {
      return;
    }
    for (String view :
        Queries.column(
            c,
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"
                + " ORDER BY TABLE_NAME",
            database)) {
      if (!grants.onTable("SHOW VIEW", database, view)) {
        throw refused(
            Feature.VIEWS,
            "the SHOW VIEW privilege on " + database + ".*",
            "grant it, or switch the views feature off");
      }
    }
  }

  private void requireTrigger(List<String> tables) {
    if (grants.onDatabase("TRIGGER", database)
        || tables.stream().allMatch(t -> grants.onTable("TRIGGER", database, t))) {
      return;
    }
    throw refused(
        Feature.TRIGGERS,
        "the TRIGGER privilege on " + database + ".*",
        "grant it, or switch the triggers feature off");
  }

  private void requireEvent() throws SQLException {
    if (grants.onDatabase("EVENT", database)) {
      return;
    }
    try (Statement s = c.createStatement()) {
      // the whole list: the server checks the privilege while it fills it, and skips that for a
      // filter it can tell matches nothing (WHERE FALSE)
      s.executeQuery("SHOW EVENTS FROM " + SqlText.quoteIdent(database)).close();
    } catch (SQLException e) {
      if (e.getErrorCode() != ER_DBACCESS_DENIED) {
        throw e;
      }
      throw refused(
          Feature.EVENTS,
          "the EVENT privilege on " + database + ".*",
          "grant it, or switch the events feature off");
    }
  }

  private void requireRoutines(Feature f, String type) throws SQLException {
    if (readsEveryRoutine()) {
      return;
    }
    String needed =
        mariaDb ? "the SELECT privilege on mysql.proc" : "the SHOW_ROUTINE privilege on *.*";
    String remedy = "grant it, or switch the " + f.key() + " feature off";
    boolean listsEveryRoutine =
        grants.onDatabase("EXECUTE", database)
            || grants.onDatabase("ALTER ROUTINE", database)
            || grants.onDatabase("CREATE ROUTINE", database)
            || grants.onDatabase("SHOW CREATE ROUTINE", database);
    if (!listsEveryRoutine) {
      throw refused(f, needed, remedy);
    }
    // every routine is listed; the server shows the bodies of the account's own routines only
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
                + " AND ROUTINE_TYPE = ? AND ROUTINE_DEFINITION IS NULL ORDER BY ROUTINE_NAME"
                + " LIMIT 1")) {
      ps.setString(1, database);
      ps.setString(2, type);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw refused(
              f,
              needed
                  + ", needed to read "
                  + type.toLowerCase(Locale.ROOT)
                  + " "
                  + SqlText.quoteIdent(rs.getString(1))
                  + ", which another account defined",
              remedy);
        }
      }
    }
  }

  /** Whether the server shows the account every routine of the database, body included. */
  private boolean readsEveryRoutine() throws SQLException {
    if (!mariaDb) {
      return grants.global("SHOW_ROUTINE") || grants.global("SELECT");
    }
    // not SHOW CREATE ROUTINE (MariaDB 11.3+): ALL on a database would count as holding it, also
    // on servers without it; where it is held, the bodies are shown and the check of them passes
    if (grants.onTable("SELECT", "mysql", "proc")) {
      return true;
    }
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT 1 FROM mysql.proc LIMIT 0").close();
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() == ER_TABLEACCESS_DENIED || e.getErrorCode() == ER_NO_SUCH_TABLE) {
        return false;
      }
      throw e;
    }
  }

  private BackyException refused(Feature f, String missing, String remedy) {
    return new BackyException(
        ErrorCode.DATABASE,
        "user "
            + account
            + " cannot back up the "
            + f.key()
            + " of "
            + database
            + ": it lacks "
            + missing
            + " ("
            + remedy
            + ")");
  }

  private String qualified(String table) {
    return SqlText.quoteIdent(database) + "." + SqlText.quoteIdent(table);
  }
}
