package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databases at the edges: empty, and with thousands of tables. */
class EdgeDatabasesTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("edge");
    target = TestServer.uniqueName("edge_copy");
    server.createDatabase(source);
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  private void roundTrip() throws Exception {
    BackupResult b =
        backy.backup(
            Map.of(
                "database",
                server.databaseConfig(source),
                "storage",
                Map.of("storage_type", "local")));
    backy.restore(
        Map.of(
            "database",
            server.databaseConfig(target),
            "backup_path",
            b.location(),
            "storage",
            Map.of("storage_type", "local")));
  }

  @Test
  void anEmptyDatabaseRoundTrips() throws Exception {
    roundTrip();
    assertThat(server.databaseExists(target)).isTrue();
    assertThat(server.checksums(target)).isEmpty();
  }

  /**
   * MEMORY tables: the number of tables is what matters here, and thousands of InnoDB files take
   * minutes just to create and drop on a small machine.
   */
  @Test
  void fiveThousandTablesRoundTrip() throws Exception {
    try (Connection c = server.connect(source);
        Statement s = c.createStatement()) {
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        batch
            .append("CREATE TABLE t")
            .append(i)
            .append(" (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MEMORY;");
        if (i % 10 == 0) {
          batch.append("INSERT INTO t").append(i).append(" VALUES (").append(i).append(", 'v');");
        }
        if (batch.length() > 50_000) {
          s.execute(batch.toString());
          batch.setLength(0);
        }
      }
      s.execute(batch.toString());
    }
    roundTrip();
    var copy = server.checksums(target);
    assertThat(copy).hasSize(5000).isEqualTo(server.checksums(source));
  }
}
