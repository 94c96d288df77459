package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB takes a line break in a database name. The dump names its database in a comment at the
 * top; written as it is, the rest of the name after the break was SQL, which the restore ran (a
 * name ending in {@code CREATE TABLE injected (a int); -- x} created that table in the target and
 * then failed on it), and a name with an odd backtick made a backup that no restore could read.
 */
class HostileDatabaseNameTest {

  @TempDir Path dir;
  String source;
  String target;

  @BeforeEach
  void createSource() throws Exception {
    source = TestServer.uniqueName("hostile") + "\nCREATE TABLE injected (a int); -- x";
    target = TestServer.uniqueName("hostile_dst");
    server.createDatabase(source);
    String t = "`" + source + "`.t";
    server.execute(
        null,
        "CREATE TABLE " + t + " (a INT PRIMARY KEY)",
        "INSERT INTO " + t + " VALUES (1), (2)");
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @ParameterizedTest(name = "multiple_files: {0}")
  @ValueSource(booleans = {false, true})
  void aLineBreakInTheDatabaseNameStaysInTheDumpsComment(boolean multipleFiles) throws Exception {
    BackupResult b;
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      b = backy.backup(Fidelity.backupConfig(source, multipleFiles));
      for (Path sql : sqlFiles(Path.of(b.location()))) {
        List<String> lines = Files.readAllLines(sql, StandardCharsets.UTF_8);
        assertThat(lines.get(0))
            .as(sql.toString())
            .startsWith("-- BackyDB dump of database `hostile_")
            .contains("\\nCREATE TABLE injected (a int); -- x`");
        assertThat(lines).as(sql.toString()).noneMatch(l -> l.startsWith("CREATE TABLE injected"));
      }
      backy.restore(Fidelity.restoreConfig(target, b.location(), Map.of()));
    }
    assertThat(server.rows(target, "SHOW TABLES")).containsExactly("t");
    assertThat(server.rows(target, "SELECT a FROM t ORDER BY a")).containsExactly("1", "2");
  }

  /** The dump's SQL files: the backup itself, or those of its folder. */
  private static List<Path> sqlFiles(Path location) throws Exception {
    if (Files.isRegularFile(location)) {
      return List.of(location);
    }
    try (var files = Files.list(location)) {
      return files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
  }
}
