package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.testing.CliRun;
import io.backydb.testing.TestAccounts;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A restore by an account short of a privilege used to fail half-way, at the first statement the
 * server refused, leaving the tables and features before it applied. It is refused before its first
 * statement now, in one line naming the account, the database, the feature and the privilege, and
 * the target is not created or touched; an account with just the privileges the statements need,
 * directly or through its role, restores the backup.
 */
class RestorePrivilegesTest {

  static final TestServer server = TestServer.get();

  /** Every privilege a restore of everything with definers kept or dropped takes, on the target. */
  static final String NEEDED =
      "SELECT, INSERT, CREATE, DROP, ALTER, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER,"
          + " EVENT";

  @TempDir Path dir;
  Path backups;
  String source;
  String target;
  String user;
  final TestAccounts accounts = new TestAccounts(server);
  String location;
  String out;
  String err;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("h1_rpriv_src");
    target = TestServer.uniqueName("h1_rpriv_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob')",
        "CREATE DEFINER=`root`@`localhost` VIEW named AS SELECT name FROM customers",
        "CREATE DEFINER=`root`@`localhost` FUNCTION twice(x INT) RETURNS INT DETERMINISTIC"
            + " RETURN 2 * x",
        "CREATE DEFINER=`root`@`localhost` PROCEDURE count_customers()"
            + " SELECT COUNT(*) FROM customers",
        "CREATE DEFINER=`root`@`localhost` TRIGGER customers_bi BEFORE INSERT ON customers"
            + " FOR EACH ROW SET NEW.name = NEW.name",
        "CREATE DEFINER=`root`@`localhost` EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE"
            + " DO DELETE FROM customers WHERE 0");
    user = "h1_" + UUID.randomUUID().toString().substring(0, 8);
    accounts.create("USER '" + user + "'@'%'");
    backups = dir.resolve("backups");
    location =
        backUp(
            "tables: true, data: true, views: true, functions: true, procedures: true,"
                + " triggers: true, events: true");
  }

  @AfterEach
  void tearDown() throws Exception {
    accounts.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  /** Grants {@code privileges} on the target database, and {@code global} on *.* if not empty. */
  private void grant(String privileges, String global) throws Exception {
    server.execute(null, "GRANT " + privileges + " ON `" + target + "`.* TO '" + user + "'@'%'");
    if (!global.isBlank()) {
      server.execute(null, "GRANT " + global + " ON *.* TO '" + user + "'@'%'");
    }
  }

  private String backUp(String features) throws Exception {
    Path config = dir.resolve("backup.yaml");
    Files.writeString(
        config,
        server.databaseYaml("root", source)
            + "  features: {"
            + features
            + "}\nstorage:\n  storage_type: local\n");
    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    return out.lines().reduce((a, b) -> b).orElseThrow();
  }

  private Path restoreConfig(String account, String extra) throws Exception {
    Path config = dir.resolve("restore-" + account + ".yaml");
    Files.writeString(
        config,
        server.databaseYaml(account, target)
            + extra
            + "backup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    return config;
  }

  private int run(String... args) {
    CliRun r = CliRun.backy(dir, backups, args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private int restore(String extra, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("restore", "--config"));
    args.add(restoreConfig(user, extra).toString());
    args.addAll(List.of(flags));
    return run(args.toArray(String[]::new));
  }

  /** The target's tables with their rows, and its views, routines, triggers and events. */
  private List<Object> snapshot() throws Exception {
    if (!server.databaseExists(target)) {
      return List.of("no database");
    }
    return List.of(
        server.checksums(target),
        server.rows(
            null,
            "SELECT CONCAT('view ', TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '"
                + target
                + "' UNION ALL SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME, ' ', DEFINER)"
                + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '"
                + target
                + "' UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME)"
                + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '"
                + target
                + "' UNION ALL SELECT CONCAT('event ', EVENT_NAME)"
                + " FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '"
                + target
                + "' ORDER BY 1"));
  }

  private void assertRefused(String expected, String extra, String... flags) throws Exception {
    List<Object> before = snapshot();
    assertThat(restore(extra, flags)).as(out + err).isEqualTo(1);
    assertThat(err)
        .isEqualTo(
            "backy: error: user "
                + user
                + "@% cannot restore the "
                + expected.replace("{db}", target)
                + "; nothing was applied\n");
    assertThat(snapshot()).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TRIGGER | SELECT, INSERT, CREATE, DROP, ALTER, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE,"
            + " EVENT | SET USER | triggers of this backup into {db}: it lacks the TRIGGER privilege"
            + " on {db}.* (grant it, or switch the triggers feature off)",
        "EVENT | SELECT, INSERT, CREATE, DROP, ALTER, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE,"
            + " TRIGGER | SET USER | events of this backup into {db}: it lacks the EVENT privilege"
            + " on {db}.* (grant it, or switch the events feature off)",
        "CREATE ROUTINE | SELECT, INSERT, CREATE, DROP, ALTER, CREATE VIEW, ALTER ROUTINE, TRIGGER,"
            + " EVENT | SET USER | functions of this backup into {db}: it lacks the CREATE ROUTINE"
            + " privilege on {db}.* (grant it, or switch the functions feature off)",
        "CREATE VIEW | SELECT, INSERT, CREATE, DROP, ALTER, CREATE ROUTINE, ALTER ROUTINE, TRIGGER,"
            + " EVENT | SET USER | views of this backup into {db}: it lacks the CREATE VIEW privilege"
            + " on {db}.* (grant it, or switch the views feature off)",
        "INSERT | SELECT, CREATE, DROP, ALTER, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER,"
            + " EVENT | SET USER | data of this backup into {db}: it lacks the INSERT privilege on"
            + " {db}.* (grant it, or switch the data feature off)",
        "DROP | SELECT, INSERT, CREATE, ALTER, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER,"
            + " EVENT | SET USER | tables of this backup into {db}: it lacks the DROP privilege on"
            + " {db}.* (grant it, or switch the tables feature off)",
        "SET USER | "
            + NEEDED
            + " | | functions of this backup into {db}: they are defined by root@localhost, which"
            + " needs the SET USER privilege (grant it, or restore with database.definers: drop or"
            + " rewrite)",
      })
  void aMissingPrivilegeIsRefusedBeforeTheDatabaseIsCreated(
      String missing, String privileges, String global, String expected) throws Exception {
    grant(privileges, global == null ? "" : global);
    assertRefused(expected, "");
    assertThat(server.databaseExists(target)).isFalse();
  }

  /** The SET USER privilege is needed only for definers the restore keeps: dropped, it is not. */
  @Test
  void withoutSetUserDefinersDroppedRestoreEverything() throws Exception {
    grant(NEEDED, "");
    assertRefused(
        "functions of this backup into {db}: they are defined by root@localhost, which needs the"
            + " SET USER privilege (grant it, or restore with database.definers: drop or rewrite)",
        "");
    assertRefused(
        "functions of this backup into {db}: they are defined by someone@%, which needs the SET"
            + " USER privilege (grant it, or restore with database.definers: drop)",
        "", "--definers", "rewrite", "--definer", "someone@%");

    assertThat(restore("  definers: drop\n")).as(err).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    assertThat(
            server.rows(
                null,
                "SELECT DISTINCT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '"
                    + target
                    + "'"))
        .containsExactly(user + "@%");
  }

  /**
   * A restore limited to tables needs SET USER only for the triggers of those tables: the trigger
   * of a table it leaves out is not created, and its definer asks for nothing (it did: the definers
   * of all the backup's triggers were asked for).
   */
  @Test
  void aRestoreLimitedToTablesNeedsSetUserOnlyForTheirOwnTriggers() throws Exception {
    server.execute(
        source,
        "CREATE TABLE notes (id INT PRIMARY KEY)",
        "INSERT INTO notes VALUES (1), (2)",
        // defined by the restoring account itself, which needs no SET USER to create it
        "CREATE DEFINER=`"
            + user
            + "`@`%` TRIGGER notes_bi BEFORE INSERT ON notes"
            + " FOR EACH ROW SET NEW.id = NEW.id");
    Files.delete(Path.of(location));
    location =
        backUp(
            "tables: true, data: true, views: true, functions: true, procedures: true,"
                + " triggers: true, events: true");
    grant(NEEDED, "");
    assertThat(restore("", "--tables", "notes")).as(err).isZero();
    assertThat(server.rows(target, "SELECT id FROM notes ORDER BY id")).containsExactly("1", "2");
    assertThat(
            server.rows(
                null,
                "SELECT CONCAT(TRIGGER_NAME, ' ', DEFINER) FROM information_schema.TRIGGERS"
                    + " WHERE TRIGGER_SCHEMA = '"
                    + target
                    + "'"))
        .containsExactly("notes_bi " + user + "@%");
    assertRefused(
        "triggers of this backup into {db}: they are defined by root@localhost, which needs the"
            + " SET USER privilege (grant it, or restore with database.definers: drop or rewrite)",
        "",
        "--tables",
        "customers",
        "--replace-existing");
  }

  /** An account with just the privileges the docs list restores what root backed up. */
  @Test
  void withExactlyTheNeededPrivilegesTheRestoreSucceeds() throws Exception {
    grant(NEEDED, "SET USER");
    assertThat(restore("")).as(err).isZero();
    assertThat(out).contains("tables, functions, procedures, views, data, triggers, events");
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    assertThat(snapshot().get(1))
        .isEqualTo(
            List.of(
                "event nightly",
                "FUNCTION twice root@localhost",
                "PROCEDURE count_customers root@localhost",
                "trigger customers_bi",
                "view named"));
  }

  /** Privileges through the account's default role count, as they do for the server. */
  @Test
  void privilegesThroughTheDefaultRoleCount() throws Exception {
    String role = "h1_role_" + UUID.randomUUID().toString().substring(0, 8);
    accounts.create("ROLE " + role);
    server.execute(
        null,
        "GRANT " + NEEDED + " ON `" + target + "`.* TO " + role,
        "GRANT " + role + " TO '" + user + "'@'%'");
    // granted, not enabled: the session has none of its privileges, only its own CREATE
    grant("CREATE", "");
    assertRefused(
        "tables of this backup into {db}: it lacks the DROP privilege on {db}.* (grant it, or"
            + " switch the tables feature off)",
        "  definers: drop\n");
    server.execute(null, "SET DEFAULT ROLE " + role + " FOR '" + user + "'@'%'");
    assertThat(restore("  definers: drop\n")).as(err).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  /**
   * Replacing a target's tables drops them first: without DROP the restore is refused, and the
   * target keeps its tables, rows and objects as they were.
   */
  @Test
  void replacingWithoutDropLeavesTheTargetAsItWas() throws Exception {
    server.createDatabase(target);
    server.execute(
        target,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO customers VALUES (7, 'old')",
        "CREATE TABLE other (id INT)");
    grant(NEEDED.replace(" DROP,", ""), "");
    assertRefused(
        "tables of this backup into {db}: it lacks the DROP privilege on {db}.* (grant it, or"
            + " switch the tables feature off)",
        "  definers: drop\n",
        "--replace-existing");
    assertThat(server.rows(target, "SELECT * FROM customers")).containsExactly("7|old");
  }

  /**
   * Rows loaded into existing tables that the restore does not create replace theirs: TRUNCATE
   * takes DROP, which the refusal names with the table.
   */
  @Test
  void rowsIntoExistingTablesNeedWhatEmptyingThemTakes() throws Exception {
    location = backUp("data: true");
    server.createDatabase(target);
    server.execute(
        target,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO customers VALUES (7, 'old')");
    grant("SELECT, INSERT", "");
    assertRefused(
        "data of this backup into {db}: it lacks the DROP privilege on {db}.customers, which"
            + " emptying that table before its rows takes (grant it, or switch the data feature"
            + " off)",
        "",
        "--replace-existing");
    grant("DROP", "");
    assertThat(restore("", "--replace-existing")).as(err).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  /** Views whose queries filter and join, for the SELECT privilege creating them takes. */
  private void backUpViewsThatFilterAndJoin() throws Exception {
    server.execute(
        source,
        "CREATE TABLE orders (id INT PRIMARY KEY, customer INT, total INT)",
        "INSERT INTO orders VALUES (1, 1, 10), (2, 2, 20)",
        "CREATE DEFINER=`root`@`localhost` VIEW big AS SELECT id FROM orders WHERE total > 15",
        "CREATE DEFINER=`root`@`localhost` VIEW spent AS SELECT c.name, o.total"
            + " FROM customers c JOIN orders o ON o.customer = c.id");
    Files.delete(Path.of(location));
    location = backUp("tables: true, data: true, views: true");
  }

  /**
   * Creating a view whose query filters or joins takes SELECT on what it reads: an account with all
   * the others used to have the tables created and the restore stop at the first such view.
   */
  @Test
  void viewsThatReadTheirTablesNeedSelect() throws Exception {
    backUpViewsThatFilterAndJoin();
    grant(NEEDED.replace("SELECT, ", ""), "");
    assertRefused(
        "views of this backup into {db}: it lacks the SELECT privilege on {db}.*, which creating"
            + " views that read its tables takes (grant it, or switch the views feature off)",
        "  definers: drop\n");
    assertThat(server.databaseExists(target)).isFalse();
  }

  /**
   * Replacing an existing copy without SELECT used to drop its tables, create them empty and stop
   * at the first view; it is refused, and the copy keeps its rows. SELECT on each table the views
   * read, granted on the existing tables, is enough.
   */
  @Test
  void replacingViewsWithoutSelectLeavesTheTargetAsItWas() throws Exception {
    backUpViewsThatFilterAndJoin();
    grant(NEEDED, "");
    assertThat(restore("  definers: drop\n")).as(err).isZero();
    server.execute(null, "REVOKE SELECT ON `" + target + "`.* FROM '" + user + "'@'%'");
    server.execute(target, "INSERT INTO customers VALUES (3, 'cat')");
    assertRefused(
        "views of this backup into {db}: it lacks the SELECT privilege on {db}.*, which creating"
            + " views that read its tables takes (grant it, or switch the views feature off)",
        "  definers: drop\n",
        "--replace-existing");
    assertThat(server.rows(target, "SELECT name FROM customers ORDER BY id"))
        .containsExactly("ann", "bob", "cat");

    // on one of the two tables the views read: still refused
    server.execute(null, "GRANT SELECT ON `" + target + "`.customers TO '" + user + "'@'%'");
    assertRefused(
        "views of this backup into {db}: it lacks the SELECT privilege on {db}.*, which creating"
            + " views that read its tables takes (grant it, or switch the views feature off)",
        "  definers: drop\n",
        "--replace-existing");
    server.execute(null, "GRANT SELECT ON `" + target + "`.orders TO '" + user + "'@'%'");
    assertThat(restore("  definers: drop\n", "--replace-existing")).as(err).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    assertThat(server.rows(target, "SELECT total FROM spent ORDER BY total"))
        .containsExactly("10", "20");
  }

  /** SELECT through the account's default role counts, as the other privileges do. */
  @Test
  void selectForViewsThroughTheDefaultRoleCounts() throws Exception {
    backUpViewsThatFilterAndJoin();
    String role = "h1_role_" + UUID.randomUUID().toString().substring(0, 8);
    accounts.create("ROLE " + role);
    server.execute(
        null,
        "GRANT SELECT ON `" + target + "`.* TO " + role,
        "GRANT " + role + " TO '" + user + "'@'%'",
        "SET DEFAULT ROLE " + role + " FOR '" + user + "'@'%'");
    grant(NEEDED.replace("SELECT, ", ""), "");
    assertThat(restore("  definers: drop\n")).as(err).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  /**
   * A database whose table the views read, and a backup of views that read it: one by its name, one
   * by an alias, joined with a table of their own database.
   */
  private String backUpViewsOfAnotherDatabase() throws Exception {
    String other = TestServer.uniqueName("xv_rpriv_other");
    server.createDatabase(other);
    server.execute(
        other,
        "CREATE TABLE prices (id INT PRIMARY KEY, price INT)",
        "INSERT INTO prices VALUES (1, 5)");
    server.execute(
        source,
        "CREATE DEFINER=`root`@`localhost` VIEW priced AS SELECT c.name, p.price"
            + " FROM customers c JOIN `"
            + other
            + "`.prices p ON p.id = c.id WHERE p.price > 1",
        "CREATE DEFINER=`root`@`localhost` VIEW cheap AS SELECT id FROM `"
            + other
            + "`.prices WHERE price < 10");
    Files.delete(Path.of(location));
    location = backUp("tables: true, data: true, views: true");
    return other;
  }

  /**
   * A view that reads a table of another database takes SELECT on that table: without it the
   * restore used to create the tables, load their rows and stop at the view ("ANY command denied
   * ... for table"). It is refused up front, naming the view and the table; SELECT on that table
   * alone is enough.
   */
  @Test
  void viewsReadingAnotherDatabaseNeedSelectThere() throws Exception {
    String other = backUpViewsOfAnotherDatabase();
    try {
      grant(NEEDED, "");
      assertRefused(
          "views of this backup into {db}: it lacks the SELECT privilege on "
              + other
              + ".prices, which view `cheap` reads (grant it, or switch the views feature off)",
          "  definers: drop\n");
      assertThat(server.databaseExists(target)).isFalse();

      server.execute(null, "GRANT SELECT ON `" + other + "`.prices TO '" + user + "'@'%'");
      assertThat(restore("  definers: drop\n")).as(err).isZero();
      assertThat(server.rows(target, "SELECT name, price FROM priced")).containsExactly("ann|5");
    } finally {
      server.dropDatabase(other);
    }
  }

  /**
   * A view that reads a table of another database the target server lacks used to fail half-way,
   * after the tables and rows were applied ("Table ... doesn't exist"). It is refused up front,
   * naming the view, the table and the remedy.
   */
  @Test
  void viewsReadingATableTheTargetServerLacksAreRefused() throws Exception {
    String other = backUpViewsOfAnotherDatabase();
    server.dropDatabase(other);
    grant(NEEDED, "");
    server.execute(null, "GRANT SELECT ON `" + other + "`.* TO '" + user + "'@'%'");
    assertRefused(
        "views of this backup into {db}: view `cheap` reads "
            + other
            + ".prices, which does not exist on "
            + server.host()
            + ":"
            + server.port()
            + " (restore or create database "
            + other
            + " first, or switch the views feature off)",
        "  definers: drop\n");
    assertThat(server.databaseExists(target)).isFalse();
  }

  /** Through the API the refusal is a {@link BackyException} with the same line. */
  @Test
  void theApiRefusesWithTheSameLine() throws Exception {
    grant(NEEDED.replace(" TRIGGER,", ""), "SET USER");
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(target));
    database.put("user", user);
    Map<String, Object> config = new LinkedHashMap<>(server.localRestoreConfig(target, location));
    config.put("database", database);
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      assertThatThrownBy(() -> backy.restore(config))
          .isInstanceOf(BackyException.class)
          .hasMessage(
              "user "
                  + user
                  + "@% cannot restore the triggers of this backup into "
                  + target
                  + ": it lacks the TRIGGER privilege on "
                  + target
                  + ".* (grant it, or switch the triggers feature off); nothing was applied");
    }
    assertThat(server.databaseExists(target)).isFalse();
  }
}
