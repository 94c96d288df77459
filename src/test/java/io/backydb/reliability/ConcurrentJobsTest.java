package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several backups and restores at once through one BackyDB (one CamelContext): each copy is exact,
 * and afterwards no database connection and no worker thread is left behind.
 */
class ConcurrentJobsTest {

  static final TestServer server = TestServer.get();
  static final int JOBS = 4;

  @TempDir Path dir;
  final List<String> databases = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (String db : databases) {
      server.dropDatabase(db);
    }
  }

  @Test
  void parallelBackupsAndRestoresStayApartAndLeakNothing() throws Exception {
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      String db = TestServer.uniqueName("conc" + i);
      databases.add(db);
      sources.add(db);
      server.createDatabase(db);
      server.execute(
          db,
          "CREATE TABLE t (id INT PRIMARY KEY, who VARCHAR(40), pad VARCHAR(200))",
          "INSERT INTO t SELECT seq, '"
              + db
              + "', REPEAT('x', seq % 200) FROM seq_1_to_"
              + (20000 + i * 5000));
    }
    int threadsBefore = backyThreads();
    ExecutorService pool = Executors.newFixedThreadPool(JOBS);
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      List<CompletableFuture<String>> jobs = new ArrayList<>();
      for (String src : sources) {
        String dst = src + "_copy";
        databases.add(dst);
        jobs.add(
            CompletableFuture.supplyAsync(
                () -> {
                  BackupResult b =
                      backy.backup(
                          Map.of(
                              "database",
                              server.databaseConfig(src),
                              "storage",
                              Map.of("storage_type", "local")));
                  backy.restore(
                      Map.of(
                          "database",
                          server.databaseConfig(dst),
                          "backup_path",
                          b.location(),
                          "storage",
                          Map.of("storage_type", "local")));
                  return dst;
                },
                pool));
      }
      CompletableFuture.allOf(jobs.toArray(CompletableFuture[]::new)).join();
      for (int i = 0; i < JOBS; i++) {
        String src = sources.get(i);
        assertThat(server.checksums(src + "_copy")).as(src).isEqualTo(server.checksums(src));
      }
    } finally {
      pool.shutdown();
    }
    assertThat(openConnectionsTo(sources)).isZero();
    // a dump thread ends right after its last chunk; wait for each with a deadline
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("backy-")) {
        t.join(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()));
      }
    }
    assertThat(backyThreads()).as("dump threads are gone").isLessThanOrEqualTo(threadsBefore);
  }

  private static int backyThreads() {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("backy-"))
            .count();
  }

  private static int openConnectionsTo(List<String> dbs) throws Exception {
    int n = 0;
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DB FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()")) {
      while (rs.next()) {
        String db = rs.getString(1);
        if (db != null && dbs.stream().anyMatch(db::startsWith)) {
          n++;
        }
      }
    }
    return n;
  }
}
