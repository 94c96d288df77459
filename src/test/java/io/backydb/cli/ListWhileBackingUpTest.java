package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.CliRun;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backy list} while a {@code multiple_files} backup is being written: its folder, whose
 * first files are committed and whose sidecar is not written yet, was listed as {@code incomplete
 * (no metadata)}, as the folder of a killed backup is: a backup that runs looked like one that
 * failed.
 */
class ListWhileBackingUpTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  final String db = TestServer.uniqueName("listrun");

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void aFolderBackupThatStillRuns_isListedAsBeingWritten_andOneThatWasKilledAsIncomplete()
      throws Exception {
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(50))",
        "CREATE TABLE b (id INT PRIMARY KEY, v VARCHAR(50))",
        "INSERT INTO a SELECT seq, MD5(seq) FROM seq_1_to_100000",
        "INSERT INTO b SELECT seq, MD5(seq) FROM seq_1_to_2000");
    Path backups = dir.resolve("backups");
    Path logs = dir.resolve("logs");
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(db));
    database.put("multiple_files", true);
    Map<String, Object> config =
        Map.of("database", database, "storage", Map.of("storage_type", "local"));
    Path configFile = dir.resolve("backup.json");
    Files.writeString(
        configFile, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(config));

    CompletableFuture<BackupResult> running;
    CliRun list;
    CliRun json;
    // a write lock on a table holds the backup in the middle of its data
    try (Connection lock = server.connect(db);
        Statement s = lock.createStatement()) {
      s.execute("LOCK TABLES b WRITE");
      running =
          CompletableFuture.supplyAsync(
              () -> {
                try (BackyDB backy = new BackyDB(TestServer.environment(backups, logs))) {
                  return backy.backup(config);
                }
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> dataBeingWritten(backups) || running.isDone());
      assertThat(dataBeingWritten(backups))
          .as(
              "the backup writes its data (%s)",
              running.isDone() ? running.handle((r, e) -> e).join() : "")
          .isTrue();
      list = CliRun.backy(logs, backups, "list", "--config", configFile.toString());
      json = CliRun.backy(logs, backups, "list", "--config", configFile.toString(), "--json");
    }
    String name = Path.of(running.get().location()).getFileName().toString();

    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out().lines().filter(l -> l.startsWith(name + "/")))
        .singleElement()
        .asString()
        .contains("being written (a backup that still runs; no metadata yet)")
        .doesNotContain("incomplete");
    // --json says the same, for scripts
    assertThat(json.exit()).as(json.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode inProgress =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).get(0);
    assertThat(inProgress.get("name").asText()).isEqualTo(name + "/");
    assertThat(inProgress.get("has_metadata").asBoolean()).isFalse();
    assertThat(inProgress.get("being_written").asBoolean()).isTrue();

    // the files a killed backup left
    Path killed = Files.createDirectories(backups.resolve(db + "_20200101T000000Z"));
    Files.copy(backups.resolve(name).resolve("tables.sql"), killed.resolve("tables.sql"));
    // another host's temporary file that nobody wrote to for a day: abandoned
    Path stale =
        Files.writeString(
            killed.resolve(
                ".data.sql.m000000000000.999999999.0f0e0d0c-0b0a-4908-8706-050403020100.partial"),
            "x");
    Files.setLastModifiedTime(
        stale, java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(25))));
    CliRun after = CliRun.backy(logs, backups, "list", "--config", configFile.toString());
    assertThat(after.out().lines().filter(l -> l.startsWith(killed.getFileName() + "/")))
        .singleElement()
        .asString()
        .contains("incomplete (no metadata)");
    CliRun afterJson =
        CliRun.backy(logs, backups, "list", "--config", configFile.toString(), "--json");
    com.fasterxml.jackson.databind.JsonNode stopped =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(afterJson.out()).get(1);
    assertThat(stopped.get("name").asText()).isEqualTo(killed.getFileName() + "/");
    assertThat(stopped.get("being_written").asBoolean()).isFalse();
  }

  /** Whether the backup's folder holds its data file's temporary file. */
  private static boolean dataBeingWritten(Path backups) throws Exception {
    if (!Files.isDirectory(backups)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(backups, 2)) {
      return files.anyMatch(p -> p.getFileName().toString().startsWith(".data.sql."));
    }
  }
}
