package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.config.Features;
import io.backydb.progress.ProgressReporter;
import io.backydb.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restore blocked by a lock another connection holds on a target table makes no progress for as
 * long as the lock is held: its progress line says what it waits for, and no ETA.
 */
class LockWaitProgressTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);

  String source;
  String target;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("lockwait_src");
    target = TestServer.uniqueName("lockwait_dst");
    for (String db : new String[] {source, target}) {
      server.createDatabase(db);
      server.execute(
          db, "CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)");
    }
    server.execute(source, "INSERT INTO a VALUES (1), (2), (3)", "INSERT INTO b VALUES (4), (5)");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aRestoreWaitingForALockSaysSoInsteadOfAnEta() throws Exception {
    Map<String, byte[]> rowsOnly =
        EngineFixture.dump(EngineFixture.config(source, 1), "", Features.parse("data"), 1 << 20);
    AtomicLong now = new AtomicLong();
    ProgressReporter progress = new ProgressReporter("restore of " + target, 10, now::get);
    CompletableFuture<Void> restore;
    // the lock is released when this connection closes, however the test ends
    try (Connection locker = server.connect(target);
        Statement lock = locker.createStatement()) {
      lock.execute("LOCK TABLES b WRITE");
      restore =
          CompletableFuture.runAsync(
              () -> {
                try {
                  // table a's rows load, then emptying b waits for the lock
                  EngineFixture.apply(EngineFixture.config(target, 2), "", rowsOnly, progress);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await("the restore waits for the lock on b").atMost(WITHIN).until(this::truncateWaits);
      await("a's rows counted").atMost(WITHIN).until(() -> progress.status().contains("ETA"));
      assertThat(progress.status()).doesNotContain("waiting");

      now.addAndGet(TimeUnit.SECONDS.toNanos(12));
      assertThat(progress.status())
          .endsWith("; no progress for 12 s: waiting for table metadata lock on table `b`")
          .doesNotContain("ETA");
    }
    restore.get(60, TimeUnit.SECONDS);
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  /** Whether a session of the restore is emptying table b, waiting for its metadata lock. */
  private boolean truncateWaits() {
    try (Connection c = server.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ?"
                    + " AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'TRUNCATE%'")) {
      ps.setString(1, target);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) > 0;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
