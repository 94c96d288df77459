package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encrypt step fails (here: no key pair yet, and no PRIVATE_KEY_PASSWORD to make one) after the
 * dump and compress threads have started. The backup fails, and those threads stop and the dump's
 * connections close, instead of waiting forever for a reader, holding the snapshot open.
 */
class FailedStepStopsTheDumpTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  String db;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("stopdump");
    server.createDatabase(db);
    // about 30 MB of SQL: far more than the pipes between the steps hold
    server.execute(
        db,
        "CREATE TABLE t (id INT PRIMARY KEY, pad VARCHAR(400))",
        "INSERT INTO t SELECT seq, REPEAT(MD5(seq), 10) FROM seq_1_to_100000");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  @Timeout(120)
  void aStepThatFailsAfterTheDumpStartedStopsTheDump() throws Exception {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("database", server.databaseConfig(db));
    config.put("storage", Map.of("storage_type", "local"));
    config.put("compression", Map.of("compression", true, "compression_type", "zstd"));
    config.put(
        "security",
        Map.of("encryption", true, "type", "keystore", "provider", "local", "key_size", 2048));
    Environment env =
        Environment.of(
            Map.of(
                Environment.DB_PASSWORD, "",
                Environment.LOCAL_PATH, dir.resolve("backups").toString(),
                Environment.LOGGING_PATH, dir.toString(),
                Environment.LOCAL_KEY_STORE_PATH, dir.resolve("keys").toString()));
    try (BackyDB backy = new BackyDB(env)) {
      assertThatThrownBy(() -> backy.backup(config))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("PRIVATE_KEY_PASSWORD");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(stageThreads()).as("dump and compress threads still alive").isZero();
              assertThat(connectionsTo(db))
                  .as("connections still open on the dumped database")
                  .isZero();
            });
  }

  static long stageThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("backy-dump") || n.startsWith("backy-compress"))
        .count();
  }

  static int connectionsTo(String database) throws Exception {
    try (Connection c = server.connect("");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '"
                    + database
                    + "' AND ID <> CONNECTION_ID()")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
