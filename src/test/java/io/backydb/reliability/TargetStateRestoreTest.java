package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.cli.BackyCli;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid backup that the target server's state would stop half-way (a statement larger than its
 * {@code max_allowed_packet}, read-only mode) is refused through {@code bin/backy restore} before
 * its first statement, in one line: the target is left as it was. Each test sets a global variable
 * of the shared server back however it ends.
 */
class TargetStateRestoreTest {

  private static final TestServer server = TestServer.get();
  private static final String ALL_FEATURES =
      "tables,data,views,functions,procedures,triggers,events";

  @TempDir Path dir;
  String source;
  String target;
  String user;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("h2_state_src");
    target = TestServer.uniqueName("h2_state_dst");
    user = TestServer.uniqueName("h2_state_user");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))",
        "INSERT INTO a VALUES (1, 'x'), (2, 'y')",
        // after `a` in the dump: its rows come after a's definition, function and rows
        "CREATE TABLE big (id INT PRIMARY KEY, b LONGTEXT)",
        "INSERT INTO big VALUES (1, REPEAT('b', 2 * 1024 * 1024))",
        "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 7",
        "CREATE VIEW v AS SELECT id FROM a");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.execute(null, "DROP USER IF EXISTS '" + user + "'@'%'");
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  /**
   * The statement of big's 2 MiB row does not fit a 1 MiB max_allowed_packet: the restore said so
   * only when it came to it, after a's definition and rows, the function and the view.
   */
  @Test
  void aStatementLargerThanTheTargetsMaxAllowedPacketIsRefusedBeforeAnything() throws Exception {
    String location = backUp();
    long original = Long.parseLong(global("max_allowed_packet"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    int limitedToA;
    StringWriter errOfA = new StringWriter();
    int byFeatures;
    StringWriter errByFeatures = new StringWriter();
    int noDefiners;
    StringWriter errNoDefiners = new StringWriter();
    try {
      server.execute(null, "SET GLOBAL max_allowed_packet = 1024 * 1024");
      // a new connection takes the new limit; a whole restore, of a backup with its sidecar
      code = cli(out, err);
      // limited to features, and a whole restore that writes no DEFINER (nothing else makes the
      // restore read the definitions)
      byFeatures = cli(new StringWriter(), errByFeatures, "--features", ALL_FEATURES);
      noDefiners = cli(new StringWriter(), errNoDefiners, "--definers", "drop");
      // the restore of `a` alone runs none of big's statements
      limitedToA = cli(new StringWriter(), errOfA, "--tables", "a");
    } finally {
      server.execute(null, "SET GLOBAL max_allowed_packet = " + original);
    }
    assertThat(code).as(err.toString()).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "backy: error: the backup holds a statement of "
                + statementBytes(location)
                + " bytes (data of table `big`), more than the target server "
                + server.host()
                + ":"
                + server.port()
                + " takes (max_allowed_packet is 1048576): raise it (SET GLOBAL max_allowed_packet"
                + " = 4 * 1024 * 1024; in the server's config too, to keep it) and restore again;"
                + " nothing was applied\n");
    assertThat(byFeatures).as(errByFeatures.toString()).isEqualTo(1);
    assertThat(errByFeatures.toString()).isEqualTo(err.toString());
    assertThat(noDefiners).as(errNoDefiners.toString()).isEqualTo(1);
    assertThat(errNoDefiners.toString()).isEqualTo(err.toString());
    assertThat(out.toString()).isEmpty();
    assertThat(limitedToA).as(errOfA.toString()).isZero();
    assertThat(server.rows(target, "SELECT id FROM a ORDER BY id")).containsExactly("1", "2");
    assertThat(server.rows(target, "SHOW TABLES")).containsExactly("a");
  }

  /**
   * A read-only server refuses every write of an account without READ_ONLY ADMIN: the restore
   * failed at its first statement with the server's message and no remedy (or, for a missing
   * target, "directive at line 4 failed"). An account the mode does not bind restores.
   */
  @Test
  void aReadOnlyServerIsRefusedBeforeAnythingForAnAccountItBinds() throws Exception {
    String location = backUp();
    server.execute(null, "CREATE USER '" + user + "'@'%'", grantOn(target));
    String other = TestServer.uniqueName("h2_state_old");
    server.execute(null, grantOn(other));
    server.createDatabase(other);
    String expected =
        "backy: error: the target server "
            + server.host()
            + ":"
            + server.port()
            + " is in read-only mode (read_only is ON) and user "
            + user
            + "@% may not write while it is: restore into a server that takes writes (the"
            + " primary, or SET GLOBAL read_only = OFF), or as an account with the READ_ONLY"
            + " ADMIN privilege (MySQL: SUPER); nothing was applied\n";
    try {
      server.execute(other, "CREATE TABLE old (x INT)", "INSERT INTO old VALUES (7)");
      String original = global("read_only");
      StringWriter missingErr = new StringWriter();
      StringWriter existingErr = new StringWriter();
      int missing;
      int existing;
      int root;
      StringWriter rootErr = new StringWriter();
      try {
        server.execute(null, "SET GLOBAL read_only = 1");
        missing = restoreAs(user, target, location, missingErr, "--features", ALL_FEATURES);
        existing = restoreAs(user, other, location, existingErr, "--replace-existing");
        // root has READ_ONLY ADMIN: read-only mode does not bind it
        root = restoreAs("root", target, location, rootErr, "--features", ALL_FEATURES);
      } finally {
        server.execute(null, "SET GLOBAL read_only = " + original);
      }
      assertThat(missing).as(missingErr.toString()).isEqualTo(1);
      assertThat(missingErr.toString()).isEqualTo(expected);
      assertThat(existing).as(existingErr.toString()).isEqualTo(1);
      assertThat(existingErr.toString()).isEqualTo(expected.replace(target, other));
      assertThat(server.rows(other, "SHOW TABLES")).containsExactly("old");
      assertThat(server.rows(other, "SELECT x FROM old")).containsExactly("7");
      assertThat(root).as(rootErr.toString()).isZero();
      assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    } finally {
      server.dropDatabase(other);
    }
  }

  private String grantOn(String db) {
    return "GRANT ALL ON `" + db + "`.* TO '" + user + "'@'%'";
  }

  private String global(String variable) throws Exception {
    return server.rows(null, "SELECT @@GLOBAL." + variable).get(0);
  }

  /** The bytes of the dump's INSERT of big's row, as the restore sends it. */
  private static long statementBytes(String location) throws Exception {
    String dump = Files.readString(Path.of(location), java.nio.charset.StandardCharsets.ISO_8859_1);
    int start = dump.indexOf("INSERT INTO `big`");
    return (long) dump.indexOf(";\n", start) - start;
  }

  /** A backup of the source with every feature, through the Java API; its location. */
  private String backUp() {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    Map<String, Object> features = new LinkedHashMap<>();
    for (String f : List.of(ALL_FEATURES.split(",", -1))) {
      features.put(f, true);
    }
    database.put("features", features);
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      return backy
          .backup(Map.of("database", database, "storage", Map.of("storage_type", "local")))
          .location();
    }
  }

  /** {@code bin/backy restore} of the backup into the target as root, with {@code args}. */
  private int cli(StringWriter out, StringWriter err, String... args) throws Exception {
    return run(out, err, "root", target, locationOfOnlyBackup(), args);
  }

  private String locationOfOnlyBackup() throws Exception {
    try (var files = Files.list(dir.resolve("backups"))) {
      return files.filter(p -> p.toString().endsWith(".sql")).findFirst().orElseThrow().toString();
    }
  }

  private int restoreAs(String as, String db, String location, StringWriter err, String... args)
      throws Exception {
    return run(new StringWriter(), err, as, db, location, args);
  }

  private int run(
      StringWriter out, StringWriter err, String as, String db, String location, String... args)
      throws Exception {
    Path config = dir.resolve("restore-" + db + ".yaml");
    Files.writeString(
        config,
        server.databaseYaml(as, db)
            + "backup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    List<String> all = new java.util.ArrayList<>(List.of("restore", "--config", config.toString()));
    all.addAll(List.of(args));
    return BackyCli.execute(
        TestServer.environment(dir.resolve("backups"), dir),
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        all.toArray(String[]::new));
  }
}
