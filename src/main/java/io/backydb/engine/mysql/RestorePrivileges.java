package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.engine.DumpContents.ObjectName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Refuses, before its first statement, a restore whose account lacks a privilege that the
 * statements it would run need: the server would refuse one of them half-way, after the features
 * before it were applied. Each feature's statements drop an object and create it again:
 *
 * <ul>
 *   <li>tables: CREATE and DROP (on the database, or on each table);
 *   <li>data: INSERT, and what emptying an existing table that the restore does not create takes
 *       ({@link ExistingTables#emptyingPrivileges}: DROP for TRUNCATE);
 *   <li>views: CREATE VIEW and DROP, and SELECT on what they read ({@link ViewReferences}): the
 *       server asks for it on every column a view's query uses outside its select list (WHERE, JOIN
 *       ... ON, GROUP BY) and for some privilege on the others, so without it the views section
 *       stops half-way, after the tables (with {@code --replace-existing}, after they were dropped
 *       and created empty again); what they read of other databases must also exist on the target
 *       server;
 *   <li>functions and procedures: CREATE ROUTINE, and ALTER ROUTINE for {@code DROP ... IF EXISTS},
 *       which the server checks even where there is nothing to drop;
 *   <li>triggers: TRIGGER (on the database, or on each table with triggers);
 *   <li>events: EVENT;
 *   <li>for views, routines, triggers and events whose DEFINER (as {@code database.definers} leaves
 *       it) is another account: SET USER or SUPER on MariaDB, SET_USER_ID, SET_ANY_DEFINER or SUPER
 *       on MySQL.
 * </ul>
 *
 * <p>The account's grants ({@link AccountGrants}, its roles' included) answer; where they do not
 * show CREATE, DROP, INSERT or SELECT, the server is asked with a statement it refuses either way,
 * for lack of the privilege or for a table that does not exist, so nothing changes. The secondary
 * indexes a big table's load defers ({@link DeferredIndexes}) take ALTER: without it they are built
 * as the rows go in ({@link #has}), not refused.
 */
final class RestorePrivileges {

  private static final int ER_DBACCESS_DENIED = 1044;
  private static final int ER_TABLEACCESS_DENIED = 1142;
  private static final int ER_NO_SUCH_TABLE = 1146;

  private final Connection c;
  private final String database;
  private final SessionAccount account;

  /** The target server, {@code host:port}. */
  private final String server;

  private RestorePrivileges(Connection c, String database, SessionAccount account, String server) {
    this.c = c;
    this.database = database;
    this.account = account;
    this.server = server;
  }

  static RestorePrivileges of(Connection c, String database, String server) throws SQLException {
    return new RestorePrivileges(c, database, SessionAccount.of(c), server);
  }

  /**
   * Throws a one-line {@link BackyException} naming the account, the database, the feature and the
   * privilege missing if the account cannot run the statements of {@code features}.
   *
   * @param tables per feature of tables, data and triggers, the tables its statements belong to
   *     (none where unknown: the privilege is then needed on the database)
   * @param emptied tables whose rows are loaded without the restore creating them → the privileges
   *     emptying each takes
   * @param viewReads the tables, views and sequences of the database that the views read
   * @param otherDatabaseReads per view, those of other databases it reads, which must exist on the
   *     target server
   * @param definers per feature, the definers its objects get, {@code user@host} unquoted (a role
   *     as its name), the restoring account's own left out or not
   * @param remedy how the restore may do without setting definers (e.g. {@code database.definers:
   *     drop or rewrite})
   */
  void check(
      Set<Feature> features,
      Map<Feature, Set<String>> tables,
      Map<String, List<String>> emptied,
      Set<String> viewReads,
      Map<String, Set<ObjectName>> otherDatabaseReads,
      Map<Feature, Set<String>> definers,
      String remedy)
      throws SQLException {
    for (Feature f : Feature.RESTORE_ORDER) {
      if (!features.contains(f)) {
        continue;
      }
      Set<String> of = tables.getOrDefault(f, Set.of());
      switch (f) {
        case TABLES -> require(f, of, "CREATE", "DROP");
        case DATA -> {
          require(f, of, "INSERT");
          for (Map.Entry<String, List<String>> e : emptied.entrySet()) {
            for (String privilege : e.getValue()) {
              if (!has(privilege, e.getKey())) {
                throw refused(
                    f,
                    "it lacks the "
                        + privilege
                        + " privilege on "
                        + database
                        + "."
                        + e.getKey()
                        + ", which emptying that table before its rows takes",
                    "grant it, or switch the data feature off");
              }
            }
          }
        }
        case VIEWS -> {
          require(f, of, "CREATE VIEW", "DROP");
          if (!viewReads.isEmpty() && !holds("SELECT", viewReads)) {
            throw refused(
                f,
                "it lacks the SELECT privilege on "
                    + database
                    + ".*, which creating views that read its tables takes",
                "grant it, or switch the views feature off");
          }
          requireOtherDatabases(otherDatabaseReads);
        }
        case FUNCTIONS, PROCEDURES -> require(f, of, "CREATE ROUTINE", "ALTER ROUTINE");
        case TRIGGERS -> require(f, of, "TRIGGER");
        case EVENTS -> require(f, of, "EVENT");
      }
      for (String definer : definers.getOrDefault(f, Set.of())) {
        if (!isAccount(definer) && !setsAnyDefiner()) {
          throw refused(
              f,
              "they are defined by "
                  + definer
                  + ", which needs the "
                  + (account.mariaDb() ? "SET USER" : "SET_USER_ID")
                  + " privilege",
              "grant it, or restore with " + remedy);
        }
      }
    }
  }

  /** Whether the account has {@code privilege} on {@code table} of the database. */
  boolean has(String privilege, String table) throws SQLException {
    return account.grants().onTable(privilege, database, table) || probe(privilege, database);
  }

  /**
   * Refuses views that read an object of another database the account may not SELECT from, or one
   * that the target server does not have: the server would refuse the view half-way, after the
   * tables (with {@code ANY command denied}, or {@code Table ... doesn't exist}).
   */
  private void requireOtherDatabases(Map<String, Set<ObjectName>> reads) throws SQLException {
    for (Map.Entry<String, Set<ObjectName>> e : reads.entrySet()) {
      String view = SqlText.quoteIdent(e.getKey());
      for (ObjectName o : e.getValue()) {
        if (!account.grants().onTable("SELECT", o.database(), o.name())
            && !probe("SELECT", o.database())) {
          throw refused(
              Feature.VIEWS,
              "it lacks the SELECT privilege on " + o + ", which view " + view + " reads",
              "grant it, or switch the views feature off");
        }
        if (!exists(o)) {
          throw refused(
              Feature.VIEWS,
              "view " + view + " reads " + o + ", which does not exist on " + server,
              "restore or create database "
                  + o.database()
                  + " first, or switch the views feature off");
        }
      }
    }
  }

  /**
   * Whether the server has {@code o}, which the account may read: a query that reads no row of it
   * fails only for a table that does not exist (or a reason that is not held against it).
   */
  private boolean exists(ObjectName o) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "SELECT 1 FROM "
              + SqlText.quoteIdent(o.database())
              + "."
              + SqlText.quoteIdent(o.name())
              + " LIMIT 0");
      return true;
    } catch (SQLException e) {
      return e.getErrorCode() != ER_NO_SUCH_TABLE;
    }
  }

  private void require(Feature f, Set<String> tables, String... privileges) throws SQLException {
    for (String privilege : privileges) {
      if (!holds(privilege, tables)) {
        throw refused(
            f,
            "it lacks the " + privilege + " privilege on " + database + ".*",
            "grant it, or switch the " + f.key() + " feature off");
      }
    }
  }

  /**
   * Whether the account has {@code privilege} on the database, or on each of {@code tables} (if
   * any).
   */
  private boolean holds(String privilege, Set<String> tables) throws SQLException {
    return account.grants().onDatabase(privilege, database)
        || (!tables.isEmpty()
            && tables.stream().allMatch(t -> account.grants().onTable(privilege, database, t)))
        || probe(privilege, database);
  }

  /**
   * Asks the server whether the account has {@code privilege} on the whole of {@code db}, where a
   * statement answers without changing anything: it is refused for lack of the privilege, or else
   * for a table that does not exist (or, for CREATE, a column declared twice). False for the
   * others.
   */
  private boolean probe(String privilege, String db) throws SQLException {
    String probe =
        SqlText.quoteIdent(db)
            + "."
            + SqlText.quoteIdent(
                "backy_privilege_probe_" + UUID.randomUUID().toString().replace("-", ""));
    String sql =
        switch (privilege) {
          case "CREATE" -> "CREATE TABLE " + probe + " (`a` INT, `a` INT)";
          case "DROP" -> "DROP TABLE " + probe;
          case "INSERT" -> "INSERT INTO " + probe + " VALUES ()";
          case "SELECT" -> "SELECT * FROM " + probe;
          default -> null;
        };
    if (sql == null) {
      return false;
    }
    try (Statement s = c.createStatement()) {
      s.execute(sql);
      return true; // cannot happen: no such table, or the column twice
    } catch (SQLException e) {
      return e.getErrorCode() != ER_TABLEACCESS_DENIED && e.getErrorCode() != ER_DBACCESS_DENIED;
    }
  }

  /** Whether {@code definer} is the restoring account (or its active role). */
  private boolean isAccount(String definer) {
    int at = definer.lastIndexOf('@');
    if (at < 0) {
      String roles = account.roles() == null ? "" : account.roles();
      return List.of(roles.replace("`", "").split(",")).contains(definer);
    }
    int own = account.name().lastIndexOf('@');
    return definer.substring(0, at).equals(account.name().substring(0, own))
        && definer
            .substring(at + 1)
            .toLowerCase(Locale.ROOT)
            .equals(account.name().substring(own + 1).toLowerCase(Locale.ROOT));
  }

  /** Whether the account may create objects that another account defines. */
  private boolean setsAnyDefiner() {
    AccountGrants g = account.grants();
    return g.global("SUPER")
        || (account.mariaDb()
            ? g.global("SET USER")
            : g.global("SET_USER_ID") || g.global("SET_ANY_DEFINER"));
  }

  private BackyException refused(Feature f, String why, String remedy) {
    return new BackyException(
        ErrorCode.DATABASE,
        "user "
            + account.name()
            + " cannot restore the "
            + f.key()
            + " of this backup into "
            + database
            + ": "
            + why
            + " ("
            + remedy
            + "); nothing was applied");
  }
}
