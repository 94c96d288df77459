package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database password reaches the server and nothing else: not the output, the errors, the log
 * file, the metadata or the backup, whether the job succeeds or fails.
 */
class SecretsTest {

  static final TestServer server = TestServer.get();
  static final String PASSWORD = "Pw-" + Long.toHexString(System.nanoTime()) + "-sEcReT";

  @TempDir Path dir;
  String db;
  String user;
  String copy;
  Map<String, String> env = new HashMap<>();
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("secret");
    copy = TestServer.uniqueName("secret_copy");
    user = TestServer.uniqueName("u");
    server.createDatabase(db);
    server.execute(
        db, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'x')");
    server.execute(
        null,
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "CREATE USER '" + user + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT ALL ON *.* TO '" + user + "'@'%'",
        "GRANT ALL ON *.* TO '" + user + "'@'localhost'");
    env.put("DB_PASSWORD", PASSWORD);
    env.put("LOGGING_PATH", dir.resolve("logs").toString());
    env.put("LOCAL_PATH", dir.resolve("backups").toString());
    Files.createDirectories(dir.resolve("logs"));
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(db);
    server.dropDatabase(copy);
    server.execute(
        null,
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "DROP USER IF EXISTS '" + user + "'@'localhost'");
  }

  private int run(String... args) {
    return BackyCli.execute(
        Environment.of(env), new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private Path config(String name, String body) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, body);
    return f;
  }

  private String database(String dbName) {
    return "{\"host\": \""
        + server.host()
        + "\", \"port\": "
        + server.port()
        + ", \"user\": \""
        + user
        + "\", \"db_name\": \""
        + dbName
        + "\"}";
  }

  @Test
  void passwordAppearsNowhereAfterSuccessAndFailure() throws Exception {
    Path backup =
        config(
            "b.json",
            "{\"database\": " + database(db) + ", \"storage\": {\"storage_type\": \"local\"}}");
    assertThat(run("backup", "--config", backup.toString())).as(err.toString()).isZero();
    String location = out.toString().lines().reduce((a, b) -> b).orElseThrow();
    Path restore =
        config(
            "r.json",
            "{\"database\": "
                + database(copy)
                + ", \"backup_path\": \""
                + location
                + "\", \"storage\": {\"storage_type\": \"local\"}}");
    assertThat(run("restore", "--config", restore.toString())).as(err.toString()).isZero();

    // failures: a wrong password, an unreachable port, a refused restore
    env.put("DB_PASSWORD", PASSWORD + "-wrong");
    assertThat(run("backup", "--config", backup.toString())).isEqualTo(1);
    env.put("DB_PASSWORD", PASSWORD);
    Path unreachable =
        config(
            "u.json",
            "{\"database\": {\"host\": \"127.0.0.1\", \"port\": 1, \"user\": \""
                + user
                + "\", \"db_name\": \"x\"}, \"storage\": {\"storage_type\": \"local\"}}");
    assertThat(run("backup", "--config", unreachable.toString())).isEqualTo(1);
    assertThat(run("restore", "--config", restore.toString())).isEqualTo(1);

    assertThat(out.toString()).doesNotContain(PASSWORD);
    assertThat(err.toString()).doesNotContain(PASSWORD).contains("Access denied");
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(
                  f ->
                      !f.getFileName().toString().endsWith(".json")
                          || f.getFileName().toString().endsWith(".metadata.json"))
              .toList();
    }
    assertThat(files)
        .anyMatch(f -> f.toString().endsWith("backydb.log"))
        .anyMatch(f -> f.toString().endsWith(".metadata.json"))
        .anyMatch(f -> f.toString().endsWith(".sql"));
    for (Path f : files) {
      assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
          .as(f.toString())
          .doesNotContain(PASSWORD);
    }
  }
}
