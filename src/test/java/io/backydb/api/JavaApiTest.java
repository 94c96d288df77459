package io.backydb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupResult;
import io.backydb.config.BackupConfig;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.restore.RestoreResult;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API as README.md's "Java API" shows it, used as an application would: only the public
 * types, a map, a typed config, a config file and {@code Environment.of}. The test server is only
 * used to set up and compare databases.
 */
class JavaApiTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  Path backups;
  Environment env;
  String source;
  final List<String> databases = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    backups = dir.resolve("backups");
    env =
        Environment.of(
            Map.of(
                "DB_PASSWORD", "",
                "LOGGING_PATH", dir.resolve("logs").toString(),
                "LOCAL_PATH", backups.toString()));
    source = database("api");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t VALUES (1,'one'),(2,'two')");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (String db : databases) {
      server.dropDatabase(db);
    }
  }

  private String database(String prefix) {
    String db = TestServer.uniqueName(prefix);
    databases.add(db);
    return db;
  }

  private Map<String, Object> backupMap(String db) {
    return Map.of(
        "database", server.databaseConfig(db), "storage", Map.of("storage_type", "local"));
  }

  private Map<String, Object> restoreMap(String db, String location) {
    return Map.of(
        "database",
        server.databaseConfig(db),
        "backup_path",
        location,
        "storage",
        Map.of("storage_type", "local"));
  }

  private List<Path> storedFiles() throws Exception {
    if (!Files.exists(backups)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(backups)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void theReadmesCallsBackUpAndRestoreWithAMapATypedConfigAndAConfigFile() throws Exception {
    try (BackyDB backy = new BackyDB(env)) {
      BackupResult b = backy.backup(backupMap(source));
      String fromMap = database("api_map");
      RestoreResult r = backy.restore(restoreMap(fromMap, b.location()));
      assertThat(r.database()).isEqualTo(fromMap);
      assertThat(server.checksums(fromMap)).isEqualTo(server.checksums(source));

      BackupConfig typed = ConfigLoader.backupFromMap(backupMap(source));
      BackupResult b2 = backy.backup(typed);
      String fromTyped = database("api_typed");
      RestoreConfig typedRestore =
          ConfigLoader.restoreFromMap(restoreMap(fromTyped, b2.location()));
      backy.restore(typedRestore);
      assertThat(server.checksums(fromTyped)).isEqualTo(server.checksums(source));

      Path config = dir.resolve("backup.json");
      Files.writeString(
          config,
          "{\"database\": {\"host\": \""
              + server.host()
              + "\", \"port\": "
              + server.port()
              + ", \"user\": \"root\", \"db_name\": \""
              + source
              + "\"}, \"storage\": {\"storage_type\": \"local\"}}");
      BackupResult b3 = backy.backup(config);
      assertThat(b3.metadata().tables())
          .singleElement()
          .satisfies(t -> assertThat(t.rows()).isEqualTo(2));
    }
  }

  @Test
  void failuresSayWhatKindInCodeAndLeaveNothingBehind() throws Exception {
    try (BackyDB backy = new BackyDB(env)) {
      Map<String, Object> unknownKey = new java.util.HashMap<>(backupMap(source));
      unknownKey.put("compresion", Map.of());
      assertThatThrownBy(() -> backy.backup(unknownKey))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("compresion");

      String missing = database("api_missing");
      assertThatThrownBy(() -> backy.backup(backupMap(missing)))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE));
      assertThat(storedFiles()).isEmpty();

      Files.createDirectories(backups);
      Path fake = Files.writeString(backups.resolve("fake.backy"), "not a backup");
      String target = database("api_target");
      assertThatThrownBy(() -> backy.restore(restoreMap(target, fake.toString())))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
      assertThat(server.databaseExists(target)).isFalse();

      BackupResult b = backy.backup(backupMap(source));
      assertThatThrownBy(() -> backy.restore(restoreMap(source, b.location())))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REFUSED))
          .hasMessageContaining("replace_existing");
    }
  }

  @Test
  void aNullConfigIsAConfigErrorThatSaysSo() {
    try (BackyDB backy = new BackyDB(env)) {
      assertThatThrownBy(() -> backy.backup((Map<String, ?>) null))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessage("the backup config is null");
      assertThatThrownBy(() -> backy.restore((Path) null))
          .isInstanceOf(BackyException.class)
          .hasMessage("the restore config is null");
    }
  }

  @Test
  void concurrentBackupsWork_andCloseLeavesNoThreadBehind() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    try (BackyDB backy = new BackyDB(env)) {
      List<CompletableFuture<BackupResult>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(CompletableFuture.supplyAsync(() -> backy.backup(backupMap(source))));
      }
      Set<String> locations = new HashSet<>();
      for (CompletableFuture<BackupResult> run : runs) {
        locations.add(run.join().location());
      }
      assertThat(locations).hasSize(3);
    }
    // the common pool's workers belong to the test, not to BackyDB
    Awaitility.await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> !before.contains(t))
                            .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool"))
                            .map(Thread::getName))
                    .isEmpty());
  }
}
