package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.testing.CliRun;
import io.backydb.testing.TestAccounts;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A backup by an account short of a privilege: MariaDB leaves out of information_schema, SHOW
 * TRIGGERS and SHOW EVENTS what the account may not see, without an error, so the backup used to be
 * incomplete and report success. It is refused now, in one line naming the database, the feature
 * and the privilege, and nothing is stored; an account with the privileges, directly or through its
 * role, backs up exactly what root does.
 */
class BackupPrivilegesTest {

  static final TestServer server = TestServer.get();

  static final String ALL_FEATURES =
      "tables: true, data: true, views: true, functions: true, procedures: true, triggers: true,"
          + " events: true";

  @TempDir Path dir;
  Path backups;
  String db;
  String user;
  final TestAccounts accounts = new TestAccounts(server);
  String out;
  String err;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("privs");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer INT, total INT)",
        "CREATE TABLE items (id INT PRIMARY KEY, order_id INT)",
        "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob')",
        "INSERT INTO orders VALUES (1, 1, 10), (2, 2, 20)",
        "INSERT INTO items VALUES (1, 1), (2, 1), (3, 2)",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 15",
        "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x",
        "CREATE PROCEDURE count_orders() SELECT COUNT(*) FROM orders",
        "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = NEW.total",
        "CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM items WHERE 0");
    user = TestServer.uniqueName("privs_user");
    accounts.create("USER '" + user + "'@'%'");
    backups = dir.resolve("backups");
  }

  @AfterEach
  void tearDown() throws Exception {
    accounts.close();
    server.dropDatabase(db);
  }

  private void grant(String grants) throws Exception {
    for (String g : grants.split(";", -1)) {
      server.execute(
          null, "GRANT " + g.strip().replace("{db}", "`" + db + "`") + " TO '" + user + "'@'%'");
    }
  }

  private int run(String... args) {
    CliRun r = CliRun.backy(dir, backups, args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private Path config(String account, String features, String extra) throws Exception {
    Path f = dir.resolve("backup-" + account + ".yaml");
    Files.writeString(
        f,
        server.databaseYaml(account, db)
            + "  features: {"
            + features
            + "}\n"
            + extra
            + "storage:\n  storage_type: local\n");
    return f;
  }

  /** The backup's dump, without its first line (which names the time of the snapshot). */
  private String backUp(String account, String features, String extra) throws Exception {
    assertThat(run("backup", "--config", config(account, features, extra).toString()))
        .as(err)
        .isZero();
    String location = out.lines().reduce((a, b) -> b).orElseThrow();
    String dump = Files.readString(Path.of(location));
    return dump.substring(dump.indexOf('\n') + 1);
  }

  private void assertRefused(String features, String extra, String expected) throws Exception {
    Path config = config(user, features, extra);
    List<Path> before = storedFiles();
    assertThat(run("backup", "--config", config.toString())).as(out + err).isEqualTo(1);
    assertThat(err).isEqualTo("backy: error: " + expected + "\n");
    assertThat(storedFiles()).as("files in LOCAL_PATH").isEqualTo(before);
    if (before.isEmpty()) {
      if (Files.isDirectory(backups)) { // list refuses a LOCAL_PATH that does not exist
        assertThat(run("list", "--config", config.toString())).isZero();
        assertThat(out).startsWith("No backups");
      }
    }
  }

  private List<Path> storedFiles() throws Exception {
    if (!Files.exists(backups)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(backups)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no routine rights | SELECT, SHOW VIEW ON {db}.* | "
            + ALL_FEATURES
            + " | functions of {db}: it lacks the SELECT privilege on mysql.proc (grant it, or switch the functions feature off)",
        "no routine rights, no functions | SELECT, SHOW VIEW, TRIGGER, EVENT ON {db}.* | tables: true, procedures: true"
            + " | procedures of {db}: it lacks the SELECT privilege on mysql.proc (grant it, or switch the procedures feature off)",
        "no TRIGGER | SELECT, SHOW VIEW, EVENT ON {db}.*; SELECT ON mysql.proc | "
            + ALL_FEATURES
            + " | triggers of {db}: it lacks the TRIGGER privilege on {db}.* (grant it, or switch the triggers feature off)",
        "no EVENT | SELECT, SHOW VIEW, TRIGGER ON {db}.*; SELECT ON mysql.proc | "
            + ALL_FEATURES
            + " | events of {db}: it lacks the EVENT privilege on {db}.* (grant it, or switch the events feature off)",
        "no SHOW VIEW | SELECT, TRIGGER, EVENT ON {db}.*; SELECT ON mysql.proc | "
            + ALL_FEATURES
            + " | views of {db}: it lacks the SHOW VIEW privilege on {db}.* (grant it, or switch the views feature off)",
        "SELECT on one table | SELECT ON {db}.customers | tables: true, data: true"
            + " | tables of {db}: it lacks the SELECT privilege on {db}.* (a grant on single tables hides the others: grant it on the database, or name the tables to back up in database.tables)",
        "SELECT on one table, views | SELECT, SHOW VIEW ON {db}.customers | views: true"
            + " | views of {db}: it lacks the SELECT privilege on {db}.* (grant it, or switch the views feature off)",
      })
  void aMissingPrivilegeIsRefusedNamingItAndNothingIsStored(
      String caseName, String grants, String features, String expected) throws Exception {
    grant(grants);
    assertRefused(
        features, "", "user " + user + "@% cannot back up the " + expected.replace("{db}", db));
  }

  @Test
  void withThePrivilegesTheDocsListTheBackupIsRootsBackup() throws Exception {
    grant("SELECT, SHOW VIEW, TRIGGER, EVENT ON {db}.*; SELECT ON mysql.proc");
    String dump = backUp(user, ALL_FEATURES, "");
    assertThat(dump)
        .contains("CREATE TABLE `customers`", "CREATE TABLE `orders`", "CREATE TABLE `items`")
        .contains("DROP VIEW IF EXISTS `big_orders`", "DROP FUNCTION IF EXISTS `twice`")
        .contains("DROP PROCEDURE IF EXISTS `count_orders`", "DROP TRIGGER IF EXISTS `orders_bi`")
        .contains("DROP EVENT IF EXISTS `nightly`");
    assertThat(dump).isEqualTo(backUp("root", ALL_FEATURES, ""));
  }

  /**
   * Privileges through the session's role, and the roles it has, count: MariaDB's SHOW GRANTS lists
   * them, and the server's answers to the probes include them. A role granted but not enabled gives
   * the session nothing, and is not counted.
   */
  @Test
  void privilegesThroughTheDefaultRoleAndTheRolesItHasCount() throws Exception {
    String outer = TestServer.uniqueName("privs_role");
    String inner = TestServer.uniqueName("privs_inner");
    accounts.create("ROLE " + inner);
    accounts.create("ROLE " + outer);
    server.execute(
        null,
        "GRANT TRIGGER, EVENT ON `" + db + "`.* TO " + inner,
        "GRANT SELECT ON mysql.proc TO " + inner,
        "GRANT SELECT, SHOW VIEW ON `" + db + "`.* TO " + outer,
        "GRANT " + inner + " TO " + outer,
        "GRANT " + outer + " TO '" + user + "'@'%'");
    // granted, not enabled: the session has none of its privileges (and without one grant of its
    // own, the account would not even see the database)
    grant("SELECT ON {db}.customers");
    assertRefused(
        ALL_FEATURES,
        "",
        "user "
            + user
            + "@% cannot back up the tables of "
            + db
            + ": it lacks the SELECT privilege on "
            + db
            + ".* (a grant on single tables hides the others: grant it on the database, or name the"
            + " tables to back up in database.tables)");

    server.execute(null, "SET DEFAULT ROLE " + outer + " FOR '" + user + "'@'%'");
    assertThat(backUp(user, ALL_FEATURES, "")).isEqualTo(backUp("root", ALL_FEATURES, ""));
  }

  /**
   * Grants on single tables are enough where they cover what is backed up: the tables a backup
   * names, the triggers of each table backed up.
   */
  @Test
  void grantsOnEachTableBackedUpAreEnough() throws Exception {
    grant("SELECT ON {db}.customers");
    assertThat(backUp(user, "tables: true, data: true", "  tables: [customers]\n"))
        .contains("CREATE TABLE `customers`")
        .doesNotContain("`orders`");

    grant(
        "SELECT ON {db}.*; TRIGGER ON {db}.customers; TRIGGER ON {db}.orders; TRIGGER ON {db}.items");
    assertThat(backUp(user, "tables: true, triggers: true", ""))
        .isEqualTo(backUp("root", "tables: true, triggers: true", ""));

    server.execute(db, "CREATE TABLE later (id INT)");
    assertRefused(
        "tables: true, triggers: true",
        "",
        "user "
            + user
            + "@% cannot back up the triggers of "
            + db
            + ": it lacks the TRIGGER privilege on "
            + db
            + ".* (grant it, or switch the triggers feature off)");
  }

  /**
   * The server shows an account the bodies of its own routines: an account that defined every
   * routine, and may list them all, needs no right on mysql.proc. A routine another account defined
   * is named.
   */
  @Test
  void anAccountThatDefinedEveryRoutineNeedsNoRightOnMysqlProc() throws Exception {
    grant("ALL PRIVILEGES ON {db}.*");
    server.execute(db, "DROP FUNCTION twice", "DROP PROCEDURE count_orders");
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", "");
    p.setProperty("allowPublicKeyRetrieval", "true");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:mysql://" + server.host() + ":" + server.port() + "/" + db, p);
        Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION own_twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x");
      s.execute("CREATE PROCEDURE own_count() SELECT COUNT(*) FROM orders");
    }
    assertThat(backUp(user, ALL_FEATURES, "")).isEqualTo(backUp("root", ALL_FEATURES, ""));

    server.execute(db, "CREATE FUNCTION roots(x INT) RETURNS INT DETERMINISTIC RETURN x");
    assertRefused(
        ALL_FEATURES,
        "",
        "user "
            + user
            + "@% cannot back up the functions of "
            + db
            + ": it lacks the SELECT privilege on mysql.proc, needed to read function `roots`,"
            + " which another account defined (grant it, or switch the functions feature off)");
  }
}
