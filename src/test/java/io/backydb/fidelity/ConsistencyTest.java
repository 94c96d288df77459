package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup taken while other connections keep committing transactions that touch several tables
 * captures one point in time: money moved between accounts in two tables, each move logged in a
 * third, never appears half-done in the restored copy, although the tables are read one after the
 * other with a large table in between.
 */
class ConsistencyTest {

  static final int ACCOUNTS = 200;
  static final long OPENING_BALANCE = 1_000_000;
  static final int FILLER_ROWS = 60_000;
  static final int WRITERS = 3;

  @TempDir Path dir;
  String source;
  String target;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("cons_src");
    target = TestServer.uniqueName("cons_dst");
    server.createDatabase(source);
    // dumped in name order: the two account tables are read with the big table between them
    server.execute(
        source,
        "CREATE TABLE a_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE b_filler (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE c_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE d_ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, amount BIGINT NOT NULL)"
            + " ENGINE=InnoDB",
        "INSERT INTO a_accounts SELECT seq, " + OPENING_BALANCE + " FROM seq_1_to_" + ACCOUNTS,
        "INSERT INTO c_accounts SELECT seq, " + OPENING_BALANCE + " FROM seq_1_to_" + ACCOUNTS,
        "INSERT INTO b_filler SELECT seq, REPEAT(CHAR(65 + seq % 26), 150) FROM seq_1_to_"
            + FILLER_ROWS);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aBackupUnderConcurrentMultiTableTransactionsIsOnePointInTime() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong committed = new AtomicLong();
    CountDownLatch warmedUp = new CountDownLatch(WRITERS * 20);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> writers = new ArrayList<>();
    long before;
    long after;
    BackupResult backup;
    try {
      for (int i = 0; i < WRITERS; i++) {
        writers.add(pool.submit(() -> transfer(stop, committed, warmedUp)));
      }
      assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("writers committing").isTrue();
      try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
        before = committed.get();
        backup =
            backy.backup(
                Map.of(
                    "database",
                    server.databaseConfig(source),
                    "storage",
                    Map.of("storage_type", "local")));
        after = committed.get();
      }
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    for (Future<?> w : writers) {
      w.get(60, TimeUnit.SECONDS); // rethrows a writer's failure
    }
    assertThat(after - before).as("transactions committed during the backup").isPositive();

    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      backy.restore(Fidelity.restoreConfig(target, backup.location(), Map.of()));
    }
    try (Connection c = server.connect(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT SUM(balance) FROM a_accounts), (SELECT SUM(balance) FROM c_accounts),"
                    + " (SELECT COALESCE(SUM(amount), 0) FROM d_ledger), (SELECT COUNT(*) FROM d_ledger),"
                    + " (SELECT COUNT(*) FROM b_filler)")) {
      rs.next();
      long a = rs.getLong(1);
      long cc = rs.getLong(2);
      long moved = rs.getLong(3);
      long transfers = rs.getLong(4);
      assertThat(a + cc)
          .as("money is neither created nor lost")
          .isEqualTo(2 * ACCOUNTS * OPENING_BALANCE);
      assertThat(a)
          .as("every move in the ledger, and only those")
          .isEqualTo(ACCOUNTS * OPENING_BALANCE - moved);
      assertThat(transfers).as("the snapshot lies within the backup").isBetween(before, after);
      assertThat(rs.getLong(5)).isEqualTo(FILLER_ROWS);
    }
  }

  /** Moves random amounts from an account in one table to one in the other, logging each move. */
  private Void transfer(AtomicBoolean stop, AtomicLong committed, CountDownLatch warmedUp)
      throws SQLException {
    try (Connection c = server.connect(source)) {
      c.setAutoCommit(false);
      try (PreparedStatement debit =
              c.prepareStatement("UPDATE a_accounts SET balance = balance - ? WHERE id = ?");
          PreparedStatement credit =
              c.prepareStatement("UPDATE c_accounts SET balance = balance + ? WHERE id = ?");
          PreparedStatement log = c.prepareStatement("INSERT INTO d_ledger (amount) VALUES (?)")) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (!stop.get()) {
          long amount = r.nextLong(-500, 500);
          debit.setLong(1, amount);
          debit.setInt(2, 1 + r.nextInt(ACCOUNTS));
          credit.setLong(1, amount);
          credit.setInt(2, 1 + r.nextInt(ACCOUNTS));
          log.setLong(1, amount);
          try {
            debit.executeUpdate();
            credit.executeUpdate();
            log.executeUpdate();
            c.commit();
            committed.incrementAndGet();
            warmedUp.countDown();
          } catch (SQLException e) {
            c.rollback(); // a lock wait or deadlock: the move did not happen, try another
          }
        }
      }
    }
    return null;
  }
}
