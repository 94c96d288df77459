package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.cli.BackyCli;
import io.backydb.testing.ArchivePlugin;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/backy restore} with --features, --tables and --definers, as a user runs it. */
class RestoreCliTest {

  @TempDir Path dir;
  String source;
  String target;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("cli_src");
    target = TestServer.uniqueName("cli_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE a (id INT PRIMARY KEY)",
        "CREATE TABLE b (id INT PRIMARY KEY)",
        "INSERT INTO a VALUES (1), (2)",
        "INSERT INTO b VALUES (3)",
        "CREATE DEFINER=`nobody_here`@`%` SQL SECURITY DEFINER VIEW v AS SELECT id FROM a",
        // a view of a table left out of a restore limited to `a`: it cannot be created there
        "CREATE DEFINER=`nobody_here`@`%` SQL SECURITY DEFINER VIEW v_b AS SELECT id FROM b",
        "CREATE DEFINER=`nobody_here`@`%` FUNCTION f() RETURNS INT DETERMINISTIC RETURN 7",
        "CREATE DEFINER=`nobody_here`@`%` PROCEDURE p() SELECT 1",
        "CREATE DEFINER=`nobody_here`@`%` EVENT e ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM b",
        "CREATE DEFINER=`nobody_here`@`%` TRIGGER a_bi BEFORE INSERT ON a FOR EACH ROW"
            + " SET NEW.id = NEW.id + 0",
        "CREATE DEFINER=`nobody_here`@`%` TRIGGER b_bi BEFORE INSERT ON b FOR EACH ROW"
            + " SET NEW.id = NEW.id + 0");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void restoreFlagsLimitFeaturesAndTablesAndDropDefiners() throws Exception {
    String location = backUp(Fidelity.backupConfig(source, false));
    Path config = restoreYaml(location);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        BackyCli.execute(
            TestServer.environment(dir.resolve("backups"), dir),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "restore",
            "--config",
            config.toString(),
            "--tables",
            "a",
            "--features",
            "tables,data,views,functions,triggers",
            "--definers",
            "drop");
    assertThat(code).as(err.toString()).isZero();

    assertThat(Fidelity.checksums(target)).containsOnlyKeys("a");
    assertThat(Fidelity.checksums(target).get("a")).isEqualTo(Fidelity.checksums(source).get("a"));
    assertThat(objects(target)).containsExactly("TRIGGER a_bi");
    // the one object restored is the trigger, whose definer was dropped
    assertThat(definers(target)).containsExactly(currentUser());
    // asked for by --features, left out by --tables: the summary says so
    assertThat(out.toString())
        .contains(": tables, data, triggers;")
        .contains("; left out as the restore is limited to tables: functions, views");
  }

  @Test
  void aRestoreLimitedToTablesLeavesViewsRoutinesAndEventsOutAndSaysSo() throws Exception {
    String location = backUp(Fidelity.backupConfig(source, false));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // v_b selects from b, which is not restored: applied, it would fail the restore half-way
    int code =
        cli(out, err, "restore", "--config", restoreYaml(location).toString(), "--tables", "a");
    assertThat(code).as(err.toString()).isZero();
    assertThat(Fidelity.checksums(target)).containsOnlyKeys("a");
    assertThat(Fidelity.checksums(target).get("a")).isEqualTo(Fidelity.checksums(source).get("a"));
    assertThat(objects(target)).containsExactly("TRIGGER a_bi");
    assertThat(out.toString())
        .contains(": tables, data, triggers;")
        .contains(
            "; left out as the restore is limited to tables: functions, procedures, views,"
                + " events");
  }

  /**
   * Rows restored into a target's existing tables fire their INSERT triggers, which MariaDB cannot
   * turn off: the restore says so on stderr before the first row, naming the tables and triggers,
   * and in its summary; it still restores. A whole restore creates the triggers after the rows, and
   * says nothing.
   */
  @Test
  void rowsRestoredIntoExistingTablesWithInsertTriggersAreWarnedOf() throws Exception {
    String whole = backUp(Fidelity.backupConfig(source, false));
    // the source's BEFORE INSERT triggers come after its rows: nothing fires, nothing to warn of
    Run run = succeeded("restore", "--config", restoreYaml(whole).toString(), "--definers", "drop");
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).doesNotContain("INSERT triggers");

    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    database.put("features", Map.of("data", true));
    String dataOnly =
        backUp(Map.of("database", database, "storage", Map.of("storage_type", "local")));
    String config = restoreYaml(dataOnly).toString();
    server.execute(
        target,
        "DROP TRIGGER a_bi",
        "DROP TRIGGER b_bi",
        "CREATE TABLE audit (id INT)",
        "CREATE TRIGGER a_times_ten BEFORE INSERT ON a FOR EACH ROW SET NEW.id = NEW.id * 10",
        "CREATE TRIGGER a_audit AFTER INSERT ON a FOR EACH ROW INSERT INTO audit VALUES (NEW.id)",
        // not an INSERT trigger: the restore's rows do not fire it
        "CREATE TRIGGER b_bu BEFORE UPDATE ON b FOR EACH ROW SET NEW.id = NEW.id");
    run = succeeded("restore", "--config", config, "--replace-existing");
    String warning =
        "restoring rows into existing tables with INSERT triggers, which fire for every row and"
            + " may change it or write to other tables: `a` (`a_audit`, `a_times_ten`)";
    assertThat(run.err()).isEqualTo("backy: warning: " + warning + "\n");
    assertThat(run.out())
        .contains("; INSERT triggers fired for every row: `a` (`a_audit`, `a_times_ten`)\n");
    assertThat(Files.readString(dir.resolve("backydb.log"))).contains(warning);
    // what the triggers did: the rows came back changed, and another table received rows
    assertThat(server.rows(target, "SELECT id FROM a ORDER BY id")).containsExactly("10", "20");
    assertThat(server.rows(target, "SELECT id FROM audit ORDER BY id")).containsExactly("10", "20");
    assertThat(server.rows(target, "SELECT id FROM b")).containsExactly("3");

    // without them, the rows come back as they are, and nothing is said
    server.execute(target, "DROP TRIGGER a_times_ten", "DROP TRIGGER a_audit");
    run = succeeded("restore", "--config", config, "--replace-existing");
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).doesNotContain("INSERT triggers");
    assertThat(server.rows(target, "SELECT id FROM a ORDER BY id")).containsExactly("1", "2");
  }

  /**
   * A table whose engine the target lacks is created in its default engine, which the dump's
   * session (no NO_ENGINE_SUBSTITUTION) lets the server do with a mere warning: the restore still
   * succeeds, and says so on stderr before the first statement, in the log and in its summary.
   *
   * <p>Why this way: the backup must be a real one, made and verified as a user's would be, with
   * nothing in it edited or written by hand, and the engine must then be missing on the server it
   * is restored into. This server cannot lose InnoDB, and a CREATE TABLE of an engine it never had
   * (CONNECT, ROCKSDB) would itself be substituted, so no backup of such a table can be made here.
   * MariaDB ships ARCHIVE as a plugin that is not installed by default: the test installs it, backs
   * up tables of it, uninstalls it (the target server now lacks it, as one without the plugin does)
   * and restores; then installs it again and restores again, which creates them in ARCHIVE and
   * warns of nothing. The plugin is left as the test found it.
   */
  @Test
  void tablesOfAnEngineTheTargetLacksAreCreatedInItsDefaultEngineAndWarnedOf() throws Exception {
    ArchivePlugin archive = ArchivePlugin.installed(server);
    try {
      server.execute(
          source,
          "CREATE TABLE ext_orders (id INT, note VARCHAR(40) COMMENT 'ENGINE=MEMORY') ENGINE=ARCHIVE",
          "CREATE TABLE ext_items (id INT) ENGINE=ARCHIVE",
          "INSERT INTO ext_orders VALUES (1, 'one'), (2, 'two')",
          "INSERT INTO ext_items VALUES (7)");
      String location = backUp(Fidelity.backupConfig(source, false));
      String config = restoreYaml(location).toString();
      // the source's ARCHIVE tables go first: a table of an uninstalled engine cannot be read
      server.execute(source, "DROP TABLE ext_orders", "DROP TABLE ext_items");
      archive.uninstall();

      Run run = succeeded("restore", "--config", config, "--definers", "drop");
      String warning =
          "the target server lacks the ARCHIVE engine; tables created in InnoDB instead:"
              + " `ext_items`, `ext_orders`";
      assertThat(run.err()).isEqualTo("backy: warning: " + warning + "\n");
      assertThat(run.out())
          .contains(
              "; tables created in the default engine, as the target lacks theirs: `ext_items`"
                  + " (ARCHIVE as InnoDB), `ext_orders` (ARCHIVE as InnoDB)\n");
      assertThat(Files.readString(dir.resolve("backydb.log"))).contains(warning);
      assertThat(server.engines(target))
          .containsExactly("a InnoDB", "b InnoDB", "ext_items InnoDB", "ext_orders InnoDB");
      assertThat(server.rows(target, "SELECT CONCAT(id, ' ', note) FROM ext_orders ORDER BY id"))
          .containsExactly("1 one", "2 two");
      assertThat(server.rows(target, "SELECT id FROM ext_items")).containsExactly("7");

      // where the server has the engine, the tables come back in it, and nothing is said
      archive.install();
      run = succeeded("restore", "--config", config, "--definers", "drop", "--replace-existing");
      assertThat(run.err()).isEmpty();
      assertThat(run.out()).doesNotContain("default engine");
      assertThat(server.engines(target))
          .containsExactly("a InnoDB", "b InnoDB", "ext_items ARCHIVE", "ext_orders ARCHIVE");
      assertThat(server.rows(target, "SELECT id FROM ext_orders ORDER BY id"))
          .containsExactly("1", "2");
    } finally {
      server.dropDatabase(target);
      server.dropDatabase(source);
      archive.leaveAsFound();
    }
  }

  @Test
  void aTableTheBackupDoesNotHoldIsAConfigErrorBeforeAnythingRuns() throws Exception {
    String location = backUp(Fidelity.backupConfig(source, false));
    Path config = restoreYaml(location);
    StringWriter err = new StringWriter();
    int code = cli(err, "restore", "--config", config.toString(), "--tables", "a,bb");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString().strip())
        .doesNotContain("\n")
        .contains("holds no table bb (it holds a, b)");
    assertThat(server.databaseExists(target)).isFalse();
  }

  @Test
  void aTableTheBackupDoesNotHoldIsAConfigErrorAlsoWithoutTheSidecar() throws Exception {
    Map<String, Object> compressed = new LinkedHashMap<>(Fidelity.backupConfig(source, false));
    compressed.put("compression", Map.of("compression", true));
    for (Map<String, Object> backup : List.of(Fidelity.backupConfig(source, false), compressed)) {
      String location = backUp(backup);
      // a file copied without its sidecar: only the dump itself says what it holds
      Files.delete(Path.of(location.replaceAll("\\.(sql|backy)$", ".metadata.json")));
      StringWriter err = new StringWriter();
      int code =
          cli(err, "restore", "--config", restoreYaml(location).toString(), "--tables", "nope");
      assertThat(code).as(location + ": " + err).isEqualTo(2);
      assertThat(err.toString().strip())
          .doesNotContain("\n")
          .contains("holds no table nope (it holds a, b)");
      assertThat(server.databaseExists(target)).isFalse();
    }
  }

  @Test
  void aTableTheBackupDoesNotHoldIsAConfigErrorAlsoWhenItHoldsNoData() throws Exception {
    Map<String, Object> backup = new LinkedHashMap<>(Fidelity.backupConfig(source, false));
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    database.put("features", Map.of("tables", true, "functions", true, "procedures", true));
    backup.put("database", database);
    String location = backUp(backup);
    StringWriter err = new StringWriter();
    int code =
        cli(err, "restore", "--config", restoreYaml(location).toString(), "--tables", "nope");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString().strip())
        .doesNotContain("\n")
        .contains("holds no table nope (it holds a, b)");
    assertThat(server.databaseExists(target)).isFalse();
  }

  /** A backup of the source's tables and data only (the seed's default features). */
  String tablesAndDataBackup() {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    database.put("features", Map.of("tables", true, "data", true));
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      return backy
          .backup(Map.of("database", database, "storage", Map.of("storage_type", "local")))
          .location();
    }
  }

  @Test
  void featuresOfWhichTheBackupHoldsNoneAreAConfigErrorBeforeTheDatabaseIsCreated()
      throws Exception {
    String location = tablesAndDataBackup();
    // the CLI option, and the config's database.features
    Path yaml = restoreYaml(location);
    Path withFeatures = dir.resolve("restore-views.yaml");
    Files.writeString(
        withFeatures,
        Files.readString(yaml)
            .replace("\nbackup_path:", "\n  features:\n    views: true\nbackup_path:"));
    for (List<String> args :
        List.of(
            List.of("restore", "--config", yaml.toString(), "--features", "views,events"),
            List.of("restore", "--config", withFeatures.toString()))) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = cli(out, err, args.toArray(String[]::new));
      assertThat(code).as(args + ": " + err).isEqualTo(2);
      assertThat(err.toString())
          .as(String.valueOf(args))
          .isEqualTo(
              "backy: error: backup "
                  + location
                  + " holds none of the features this restore asks for: it holds tables, data,"
                  + " the restore asks for "
                  + (args.contains("--features") ? "views, events" : "views")
                  + " (database.features, or --features); nothing was applied\n");
      assertThat(out.toString()).as(String.valueOf(args)).isEmpty();
      assertThat(server.databaseExists(target)).as(String.valueOf(args)).isFalse();
    }
  }

  @Test
  void featuresOfWhichTheBackupHoldsNoneAreAConfigErrorAlsoWithoutTheSidecar() throws Exception {
    String location = tablesAndDataBackup();
    // a file copied without its sidecar: only the dump's sections say what it holds
    Files.delete(Path.of(location.replaceAll("\\.(sql|backy)$", ".metadata.json")));
    StringWriter err = new StringWriter();
    int code =
        cli(err, "restore", "--config", restoreYaml(location).toString(), "--features", "views");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString().strip())
        .doesNotContain("\n")
        .contains(" holds none of the features this restore asks for: it holds tables, data,");
    assertThat(server.databaseExists(target)).isFalse();
  }

  @Test
  void featuresOfWhichTheBackupHoldsSomeRestoreThoseAndTheSummaryNamesTheOthers() throws Exception {
    String location = tablesAndDataBackup();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        cli(
            out,
            err,
            "restore",
            "--config",
            restoreYaml(location).toString(),
            "--features",
            "data,views,tables");
    assertThat(code).as(err.toString()).isZero();
    assertThat(Fidelity.checksums(target)).isEqualTo(Fidelity.checksums(source));
    assertThat(out.toString())
        .contains(": tables, data;")
        .contains("; asked for but not in the backup: views\n");
  }

  @Test
  void aSequenceIsATableOfTheBackupForTablesAlsoWithASidecarWrittenBeforeItListedSequences()
      throws Exception {
    server.execute(
        source,
        "CREATE SEQUENCE s START WITH 100",
        "CREATE TABLE c (id INT PRIMARY KEY DEFAULT (NEXT VALUE FOR s), x INT)",
        "INSERT INTO c (x) VALUES (1), (2)");
    String location = backUp(Fidelity.backupConfig(source, false));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        cli(out, err, "restore", "--config", restoreYaml(location).toString(), "--tables", "s,c");
    assertThat(code).as(err.toString()).isZero();
    Map<String, String> restored = Fidelity.checksums(target);
    assertThat(restored).containsOnlyKeys("c", "s");
    assertThat(restored.get("c")).isEqualTo(Fidelity.checksums(source).get("c"));
    assertThat(nextValue(target)).isEqualTo(nextValue(source));
    Path sidecar = Path.of(location.replaceAll("\\.sql$", ".metadata.json"));
    // the sidecar lists the sequence with the tables, each with its kind
    assertThat(Files.readString(sidecar))
        .containsPattern(
            "\"name\" : \"s\",\\s+\"rows\" : 0,\\s+\"bytes\" : \\d+,\\s+\"kind\" : \"sequence\"")
        .containsPattern(
            "\"name\" : \"c\",\\s+\"rows\" : 2,\\s+\"bytes\" : \\d+,\\s+\"kind\" : \"table\"");

    // a sidecar written before it listed sequences (no s, no kinds): the dump is checked instead
    server.dropDatabase(target);
    Files.writeString(
        sidecar,
        Files.readString(sidecar)
            .replaceAll(",\\s*\\{\\s*\"name\" : \"s\",[^}]*}", "")
            .replaceAll(",\\s+\"kind\" : \"table\"", ""));
    assertThat(Files.readString(sidecar)).doesNotContain("\"s\"").doesNotContain("kind");
    err = new StringWriter();
    code = cli(err, "restore", "--config", restoreYaml(location).toString(), "--tables", "s");
    assertThat(code).as(err.toString()).isZero();
    assertThat(nextValue(target)).isEqualTo(nextValue(source));
    // and a name it does not hold is still refused, before anything is applied
    server.dropDatabase(target);
    err = new StringWriter();
    code = cli(err, "restore", "--config", restoreYaml(location).toString(), "--tables", "s,t");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString().strip())
        .doesNotContain("\n")
        .contains("holds no table t (it holds a, b, c, s)");
    assertThat(server.databaseExists(target)).isFalse();
  }

  /** The next value sequence {@code s} of {@code db} hands out. */
  static long nextValue(String db) throws Exception {
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT next_not_cached_value FROM s")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The views, routines, triggers and events of {@code db}, as "KIND name", sorted. */
  static List<String> objects(String db) throws Exception {
    List<String> objects = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT CONCAT('VIEW ', TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT CONCAT('TRIGGER ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT CONCAT('EVENT ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()"
                    + " ORDER BY 1")) {
      while (rs.next()) {
        objects.add(rs.getString(1));
      }
    }
    return objects;
  }

  /** The definers of the views, routines and triggers of {@code db}. */
  static List<String> definers(String db) throws Exception {
    List<String> definers = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")) {
      while (rs.next()) {
        definers.add(rs.getString(1));
      }
    }
    return definers;
  }

  static String currentUser() throws Exception {
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * A name may hold any character, a line break and a terminal's escape sequence too: the warnings,
   * the summary line, the error line and the log's lines that name it stay one line each, with the
   * characters written as escapes, and nothing that drives the terminal reaches stderr.
   */
  @Test
  void namesWithLineBreaksAndEscapeSequencesLeaveEveryLineOneLine() throws Exception {
    String odd = "line\nbreak\u001b[2J";
    String shown = "line\\nbreak\\u001b[2J";
    server.execute(
        source,
        "CREATE TABLE `" + odd + "` (id INT PRIMARY KEY)",
        "INSERT INTO `" + odd + "` VALUES (1)");
    succeeded(
        "restore",
        "--config",
        restoreYaml(backUp(Fidelity.backupConfig(source, false))).toString(),
        "--definers",
        "drop");
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    database.put("features", Map.of("data", true));
    String config =
        restoreYaml(
                backUp(Map.of("database", database, "storage", Map.of("storage_type", "local"))))
            .toString();
    server.execute(
        target,
        "CREATE TRIGGER `tr\nx` BEFORE INSERT ON `" + odd + "` FOR EACH ROW SET NEW.id = NEW.id");

    Run run = succeeded("restore", "--config", config, "--replace-existing");
    assertThat(run.err())
        .startsWith("backy: warning: ")
        .contains("`" + shown + "` (`tr\\nx`)")
        .doesNotContain("\u001b")
        .endsWith("\n")
        .hasLineCount(1);
    assertThat(run.out()).contains("`" + shown + "` (`tr\\nx`)").hasLineCount(1);

    server.execute(target, "DROP TABLE `" + odd + "`");
    StringWriter err = new StringWriter();
    assertThat(cli(err, "restore", "--config", config, "--replace-existing")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("backy: error: ")
        .contains(shown)
        .doesNotContain("\u001b")
        .hasLineCount(1);
    assertThat(Files.readAllLines(dir.resolve("backydb.log")))
        .filteredOn(l -> l.contains(" ERROR ") || l.contains(" WARN "))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).contains(shown));
  }

  /** What a command line printed: its stdout and its stderr. */
  record Run(String out, String err) {}

  /** Runs the command line, which must succeed; what it printed. */
  Run succeeded(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(cli(out, err, args)).as(err.toString()).isZero();
    return new Run(out.toString(), err.toString());
  }

  /** Runs the command line; its stderr goes to {@code err}. */
  int cli(StringWriter err, String... args) {
    return cli(new StringWriter(), err, args);
  }

  /** Runs the command line; its stdout goes to {@code out}, its stderr to {@code err}. */
  int cli(StringWriter out, StringWriter err, String... args) {
    return BackyCli.execute(
        TestServer.environment(dir.resolve("backups"), dir),
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        args);
  }

  /** A restore config of {@code location} into the target, as a user writes it. */
  Path restoreYaml(String location) throws Exception {
    Path config = dir.resolve("restore.yaml");
    Files.writeString(
        config,
        "database:\n  host: "
            + server.host()
            + "\n  port: "
            + server.port()
            + "\n  user: root\n  db_name: "
            + target
            + "\nbackup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    return config;
  }

  @Test
  void anUnknownDefinerPolicyIsAUsageError() throws Exception {
    Path config = dir.resolve("restore.yaml");
    Files.writeString(
        config,
        "database:\n  host: h\n  user: root\n  db_name: x\nbackup_path: /nowhere.sql\n"
            + "storage:\n  storage_type: local\n");
    StringWriter err = new StringWriter();
    int code = cli(err, "restore", "--config", config.toString(), "--definers", "sometimes");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--definers").contains("keep, drop, rewrite");
  }

  /**
   * A backup of a database without objects restores an empty database, and its summary says so (it
   * read "into database x: ; 6 statement(s)").
   */
  @Test
  void theRestoreOfAnEmptyDatabaseSaysItHadNoObjects() throws Exception {
    String empty = TestServer.uniqueName("cli_empty");
    server.createDatabase(empty);
    try {
      String location = backUp(Fidelity.backupConfig(empty, false));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = cli(out, err, "restore", "--config", restoreYaml(location).toString());
      assertThat(code).as(err.toString()).isZero();
      assertThat(server.databaseExists(target)).isTrue();
      assertThat(out.toString())
          .contains("into database " + target + ": no objects; ")
          .doesNotContain(": ;");
    } finally {
      server.dropDatabase(empty);
    }
  }

  /** Backs {@code config} up through the Java API into the test's backups folder; its location. */
  private String backUp(Map<String, Object> config) {
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      return backy.backup(config).location();
    }
  }
}
