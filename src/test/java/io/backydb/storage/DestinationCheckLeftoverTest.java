package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyDB;
import io.backydb.config.Environment;
import io.backydb.testing.KilledChild;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before its dump a backup checks that it may write to LOCAL_PATH by creating something there and
 * deleting it at once. A backup killed (SIGKILL) between the two left it: first {@code
 * .backydb-check-<random>.tmp} in LOCAL_PATH, which no clean-up knew; and, where LOCAL_PATH did not
 * exist yet, a hidden folder {@code .backydb-check-<random>} in its parent, outside every folder a
 * clean-up looks at, for ever.
 */
class DestinationCheckLeftoverTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  final String db = TestServer.uniqueName("lo_chk");
  Path config;

  @BeforeEach
  void database() throws Exception {
    server.createDatabase(db);
    server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    config = dir.resolve("backup.json");
    new ObjectMapper()
        .writeValue(
            config.toFile(),
            Map.of(
                "database", server.databaseConfig(db), "storage", Map.of("storage_type", "local")));
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void theCheckOfABackupKilledInIt_leavesNothingTheNextBackupDoesNotRemove_LocalPathExists()
      throws Exception {
    Path backups = Files.createDirectories(dir.resolve("backups"));
    killInTheCheck(backups);
    assertThat(checks()).hasSize(1);

    backup(backups);
    assertThat(checks()).isEmpty();
  }

  @Test
  void theCheckOfABackupKilledInIt_leavesNothingTheNextBackupDoesNotRemove_LocalPathMissing()
      throws Exception {
    Path backups = dir.resolve("backups");
    killInTheCheck(backups);
    assertThat(checks()).hasSize(1);

    backup(backups);
    assertThat(checks()).isEmpty();
    // nothing hidden beside the backups' folder
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
  }

  /** {@code backy backup} in a child JVM, killed as it deletes what its write check created. */
  private void killInTheCheck(Path backups) throws Exception {
    KilledChild.killAt(
        "java.nio.file.Files",
        "delete",
        () -> !checks().isEmpty(),
        Map.of(
            Environment.DB_PASSWORD, "",
            Environment.LOCAL_PATH, backups.toString(),
            Environment.LOGGING_PATH, dir.toString()),
        dir.resolve("child.out"),
        "backup",
        "--config",
        config.toString());
  }

  /** The files and folders under the test's folder that a write check made. */
  private List<Path> checks() {
    try (Stream<Path> s = Files.walk(dir, 3)) {
      return s.filter(p -> p.getFileName().toString().contains("backydb-check")).toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(); // walked as the child creates or deletes: look again at the next stop
    }
  }

  private void backup(Path backups) throws IOException {
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      backy.backup(
          Map.of(
              "database", server.databaseConfig(db), "storage", Map.of("storage_type", "local")));
    }
    assertThat(new LocalStorage(backups).list(".metadata.json")).hasSize(1);
  }
}
