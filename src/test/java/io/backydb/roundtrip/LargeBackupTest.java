package io.backydb.roundtrip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.backup.BackupCatalog;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.S3TestServer;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A table larger than the heap: the backup is a stream, so a JVM with -Xmx128m backs up a million
 * rows (about 230 MB of SQL). And a backup whose database connection dies midway leaves nothing
 * behind.
 */
class LargeBackupTest {

  static final TestServer server = TestServer.get();
  static final int ROWS = 1_000_000;
  static String db;

  @TempDir Path dir;

  @BeforeAll
  static void createBigTable() throws Exception {
    db = TestServer.uniqueName("large");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(100), payload VARCHAR(200), amount DECIMAL(12,2), f FLOAT, at DATETIME(3))",
        // MariaDB's sequence engine makes a million rows in a few seconds
        "INSERT INTO big SELECT seq, CONCAT('name ''', seq, ''' ;'), REPEAT(MD5(seq), 5),"
            + " seq / 100, seq / 7, '2026-01-01 00:00:00.123' + INTERVAL seq SECOND FROM seq_1_to_"
            + ROWS);
  }

  @AfterAll
  static void dropBigTable() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void aMillionRowsWithA128MiBHeap() throws Exception {
    Path backups = dir.resolve("backups");
    ProcessBuilder pb = backupProcess(backups).redirectErrorStream(true);
    Process p = pb.start();
    String output =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();

    List<String> lines = output.lines().toList();
    Path file = Path.of(lines.get(lines.size() - 1));
    assertThat(Files.size(file)).as("the dump is larger than the heap").isGreaterThan(200L << 20);
    var entries = new BackupCatalog(new LocalStorage(backups)).list(new ArrayList<>());
    assertThat(entries)
        .singleElement()
        .satisfies(e -> assertThat(e.metadata().totalRows()).isEqualTo(ROWS));
  }

  @Test
  void aBackupWhoseConnectionIsKilledLeavesNothing() throws Exception {
    Path backups = dir.resolve("backups");
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      CompletableFuture<Object> backup =
          CompletableFuture.supplyAsync(
              () ->
                  backy.backup(
                      Map.of(
                          "database",
                          server.databaseConfig(db),
                          "storage",
                          Map.of("storage_type", "local"))));
      long killed = killDumpConnection(backup);
      assertThat(killed).as("the dump's connection was found and killed").isPositive();
      assertThatThrownBy(backup::join)
          .hasCauseInstanceOf(BackyException.class)
          .cause()
          .hasMessageContaining("backup of database '" + db + "' failed")
          // what happened, as a restore says it, not only the driver's words
          .hasMessageContaining("reading table `big`: the connection to the server was lost (");
    }
    assertThat(new BackupCatalog(new LocalStorage(backups)).list(new ArrayList<>())).isEmpty();
    try (Stream<Path> left = Files.exists(backups) ? Files.walk(backups) : Stream.empty()) {
      assertThat(left.filter(Files::isRegularFile).map(Path::toString))
          .as("no file, temporary or not")
          .isEmpty();
    }
  }

  @Test
  void aBackupProcessStoppedWithSigtermRemovesItsTemporaryFileAndSaysSo() throws Exception {
    Path backups = dir.resolve("backups");
    Path output = dir.resolve("child.out");
    Process p =
        backupProcess(backups).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    awaitPartialOf8MiB(backups, p);
    assertThat(p.isAlive()).as("still backing up when stopped").isTrue();

    p.destroy(); // SIGTERM, as a supervisor or `kill` sends it

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
    assertThat(Files.readString(output))
        .contains(
            "backy: error: backup stopped by a signal before it finished; nothing was stored");
    assertThat(partials(backups)).as("the temporary file was removed").isEmpty();
    try (Stream<Path> left = Files.walk(backups)) {
      assertThat(left.filter(Files::isRegularFile).map(Path::toString)).isEmpty();
    }
  }

  /**
   * A tar backup spools each file to a temporary file before its tar entry (which states its size
   * first); the spooling thread must remove it before the stopped process halts.
   */
  @Test
  void aTarBackupProcessStoppedWithSigtermRemovesItsSpoolFile() throws Exception {
    Path backups = dir.resolve("backups");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path config =
        configFile(
            "tar.json",
            Map.of(
                "database",
                server.databaseConfig(db),
                "compression",
                Map.of("compression", true, "compression_type", "tar"),
                "storage",
                Map.of("storage_type", "local")));
    ProcessBuilder pb = cliProcess(backups, "backup", "--config", config.toString());
    pb.command().add(1, "-Djava.io.tmpdir=" + tmp);
    Process p =
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("tar.out").toFile()).start();
    // stop it once the spool holds 8 MiB: mid-file
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (spoolBytes(tmp) < (8 << 20) && Instant.now().isBefore(deadline) && p.isAlive()) {
      p.onExit().completeOnTimeout(p, 20, TimeUnit.MILLISECONDS).join();
    }
    assertThat(p.isAlive()).as("still spooling when stopped").isTrue();

    p.destroy();

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
    assertThat(Files.readString(dir.resolve("tar.out")))
        .contains("backup stopped by a signal before it finished; nothing was stored");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(Path::toString)).as("no spool file left").isEmpty();
    }
  }

  private static long spoolBytes(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(".backy-spool."))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  @Test
  void anS3BackupProcessStoppedWithSigtermAbortsItsUpload() throws Exception {
    try (S3TestServer s3 =
            S3TestServer.start(Files.createDirectories(dir.resolve("s3")), "stopped");
        S3Client client = s3.client()) {
      ProcessBuilder pb =
          backupProcess(dir.resolve("unused"), Map.of("storage_type", "s3", "part_size_mb", 5))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("child.out").toFile());
      pb.environment().putAll(s3.environment(Map.of()));
      Process p = pb.start();
      // stop it once its multipart upload has a part on the server: mid-upload
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      while (uploadedParts(client, s3.bucket()) == 0
          && Instant.now().isBefore(deadline)
          && p.isAlive()) {
        p.onExit().completeOnTimeout(p, 20, TimeUnit.MILLISECONDS).join();
      }
      assertThat(p.isAlive()).as("still uploading when stopped").isTrue();

      p.destroy();

      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
      assertThat(Files.readString(dir.resolve("child.out")))
          .contains("backup stopped by a signal before it finished; nothing was stored");
      assertThat(client.listMultipartUploads(b -> b.bucket(s3.bucket())).uploads())
          .as("the upload was aborted, so its parts are gone")
          .isEmpty();
      assertThat(client.listObjectsV2(b -> b.bucket(s3.bucket())).contents()).isEmpty();
    }
  }

  @Test
  void aRestoreProcessStoppedWithSigtermSaysItStopped() throws Exception {
    Path backups = dir.resolve("backups");
    String location;
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      location = backupOfTheBigTable(backy);
    }
    String target = TestServer.uniqueName("large_stopped");
    try {
      Path config = configFile("restore.json", server.localRestoreConfig(target, location));
      Path output = dir.resolve("restore.out");
      Process p =
          cliProcess(backups, "restore", "--config", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      // stop it once rows arrive: mid-restore
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      while (!hasRows(target) && Instant.now().isBefore(deadline) && p.isAlive()) {
        p.onExit().completeOnTimeout(p, 50, TimeUnit.MILLISECONDS).join();
      }
      assertThat(p.isAlive()).as("still restoring when stopped").isTrue();

      p.destroy();

      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
      assertThat(Files.readString(output))
          .contains("backy: error: restore stopped by a signal before it finished: interrupted at ")
          .contains("; applied so far: tables");
    } finally {
      server.dropDatabase(target);
    }
  }

  /** A local backup of the big table; returns its location. */
  private static String backupOfTheBigTable(BackyDB backy) {
    return backy
        .backup(
            Map.of(
                "database", server.databaseConfig(db), "storage", Map.of("storage_type", "local")))
        .location();
  }

  /**
   * Whether the restore is sending rows of the big table into {@code database}: a statement loading
   * it runs. Asked of the process list, not of the table: a READ UNCOMMITTED read of a table that
   * LOAD DATA is bulk-loading once hung the server (MariaDB 10.11: both threads stuck, unkillable,
   * the server spinning until it was restarted).
   */
  private static boolean hasRows(String database) throws Exception {
    try (Connection c = server.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT 1 FROM information_schema.PROCESSLIST WHERE DB = ?"
                    + " AND (INFO LIKE 'LOAD DATA%' OR INFO LIKE 'INSERT INTO `big`%')")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static int uploadedParts(S3Client client, String bucket) {
    int parts = 0;
    for (var u : client.listMultipartUploads(b -> b.bucket(bucket)).uploads()) {
      parts +=
          client
              .listParts(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()))
              .parts()
              .size();
    }
    return parts;
  }

  @Test
  void aKilledBackupProcessLeavesOnlyATemporaryFileThatTheNextRunRemoves() throws Exception {
    Path backups = dir.resolve("backups");
    ProcessBuilder pb =
        backupProcess(backups)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.out").toFile());
    Process p = pb.start();
    // kill it once its temporary file has grown: mid-backup, with no chance to clean up
    awaitPartialOf8MiB(backups, p);
    assertThat(p.isAlive()).as("still backing up when killed").isTrue();
    p.destroyForcibly().waitFor();
    assertThat(partials(backups)).hasSize(1);
    assertThat(new BackupCatalog(new LocalStorage(backups)).list(new ArrayList<>())).isEmpty();

    // the next backup into the same folder removes the dead process's temporary file
    server.execute(db, "CREATE TABLE IF NOT EXISTS small (id INT PRIMARY KEY)");
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      backy.backup(
          Map.of(
              "database",
                  Map.of(
                      "host",
                      server.host(),
                      "port",
                      server.port(),
                      "user",
                      "root",
                      "db_name",
                      db,
                      "tables",
                      List.of("small")),
              "storage", Map.of("storage_type", "local")));
    }
    assertThat(partials(backups)).isEmpty();
    assertThat(new BackupCatalog(new LocalStorage(backups)).list(new ArrayList<>())).hasSize(1);
  }

  @Test
  void aRestoreWhoseConnectionIsKilledSaysWhatWasApplied() throws Exception {
    Path backups = dir.resolve("backups");
    String target = TestServer.uniqueName("large_copy");
    try (BackyDB backy = new BackyDB(TestServer.environment(backups, dir))) {
      String location = backupOfTheBigTable(backy);
      CompletableFuture<Object> restore =
          CompletableFuture.supplyAsync(
              () -> backy.restore(server.localRestoreConfig(target, location)));
      // the data statements run as LOAD DATA where they can (LocalRowsLoader), else as INSERTs
      long killed =
          killConnection(
              restore, "^(INSERT INTO|LOAD DATA LOCAL INFILE .* INTO TABLE) `big`", target);
      assertThat(killed).as("the restore's connection was found and killed").isPositive();
      assertThatThrownBy(restore::join)
          .cause()
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("restore failed at")
          .hasMessageContaining("data of table `big`")
          // what happened, not what the driver tripped over next (a NullPointerException once)
          .hasMessageContaining(": the connection to the server was lost (")
          .hasMessageNotContaining("Exception")
          .hasMessageContaining("applied so far: tables");
    } finally {
      server.dropDatabase(target);
    }
  }

  /** Waits for a statement of another connection matching {@code regexp} and kills it. */
  private static long killConnection(CompletableFuture<?> job, String regexp, String database)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    try (Connection c = server.connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO REGEXP ? AND DB = ?"
                    + " AND ID <> CONNECTION_ID()")) {
      ps.setString(1, regexp);
      ps.setString(2, database);
      while (Instant.now().isBefore(deadline) && !job.isDone()) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long id = rs.getLong(1);
            try (Statement s = c.createStatement()) {
              s.execute("KILL " + id);
            }
            return id;
          }
        }
      }
    }
    return -1;
  }

  /** {@code backy backup} of the big table in a child JVM with a 128 MiB heap. */
  private ProcessBuilder backupProcess(Path backups) throws Exception {
    return backupProcess(backups, Map.of("storage_type", "local"));
  }

  /** The same, into the storage the config section {@code storage} describes. */
  private ProcessBuilder backupProcess(Path backups, Map<String, Object> storage) throws Exception {
    Path config =
        configFile(
            "backup.json", Map.of("database", server.databaseConfig(db), "storage", storage));
    return cliProcess(backups, "backup", "--config", config.toString());
  }

  /** A JSON config file in the test's folder. */
  private Path configFile(String name, Map<String, Object> config) throws Exception {
    Path file = dir.resolve(name);
    new ObjectMapper().writeValue(file.toFile(), config);
    return file;
  }

  /** {@code backy ARGS} in a child JVM with a 128 MiB heap. */
  private ProcessBuilder cliProcess(Path backups, String... args) {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBin,
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.backydb.cli.BackyCli"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("DB_PASSWORD", "");
    pb.environment().put("LOGGING_PATH", dir.toString());
    pb.environment().put("LOCAL_PATH", backups.toString());
    return pb;
  }

  /** Waits until the backup's temporary file has grown past 8 MiB: the backup is mid-stream. */
  private static void awaitPartialOf8MiB(Path backups, Process p) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (partials(backups).stream().noneMatch(f -> f.toFile().length() > (8 << 20))
        && Instant.now().isBefore(deadline)
        && p.isAlive()) {
      p.onExit().completeOnTimeout(p, 50, TimeUnit.MILLISECONDS).join();
    }
  }

  private static List<Path> partials(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
    }
  }

  /** Waits for the dump's SELECT on the big table and kills its connection. */
  private long killDumpConnection(CompletableFuture<?> backup) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      while (Instant.now().isBefore(deadline) && !backup.isDone()) {
        try (ResultSet rs =
            s.executeQuery(
                // a reader's row read (SELECT `id`, ...), not the chunk plan's SELECT MIN(...) on
                // the main connection: killed just after that query ends, the connection fails in
                // the next metadata query instead of in the table's rows
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT `id`, %FROM `"
                    + db
                    + "`.`big`%' AND ID <> CONNECTION_ID()")) {
          if (rs.next()) {
            long id = rs.getLong(1);
            s.execute("KILL " + id);
            return id;
          }
        }
      }
    }
    return -1;
  }
}
