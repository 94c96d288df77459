package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.testing.TestServer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before its dump a backup checks that it may write to LOCAL_PATH by creating a file there and
 * deleting it at once. A backup killed (SIGKILL) between the two left that hidden file, {@code
 * .backydb-check-<random>.tmp}, for ever: no clean-up knew its name or its process.
 */
class DestinationCheckLeftoverTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  final String db = TestServer.uniqueName("chk");

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void theCheckFileOfAKilledBackupIsRemovedByTheNextBackup() throws Exception {
    server.createDatabase(db);
    server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Map<String, Object> config =
        Map.of("database", server.databaseConfig(db), "storage", Map.of("storage_type", "local"));

    // the name the check gives its file, as the folder saw it
    List<String> created = new ArrayList<>();
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      backups.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
      backup(config, backups);
      WatchKey key;
      while ((key = watch.poll()) != null) {
        for (WatchEvent<?> e : key.pollEvents()) {
          if (e.context() instanceof Path p && p.toString().contains("backydb-check")) {
            created.add(p.toString());
          }
        }
        key.reset();
      }
    }
    assertThat(created).hasSize(1);

    // that file, as a backup killed between its creation and its deletion leaves it: of a process
    // that has ended
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    String left =
        created.get(0).replaceFirst("\\.(m[0-9a-f]{12})\\.[0-9]+\\.", ".$1." + ended.pid() + ".");
    Path leftover = Files.writeString(backups.resolve(left), "");

    backup(config, backups);
    assertThat(leftover).doesNotExist();
  }

  private void backup(Map<String, Object> config, Path backups) {
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir.resolve("logs")))) {
      backy.backup(config);
    }
  }
}
