package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Features;
import io.backydb.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

/**
 * A dump on three connections, the account tables cut into primary-key ranges read by different
 * connections, taken while other sessions keep moving money between the two account tables: the
 * restored copy has not lost or made a cent, and holds exactly the moves of its ledger. Were the
 * connections' snapshots taken at different moments, ranges would mix balances from before and
 * after some moves.
 */
class ParallelConsistencyTest {

  static final int ACCOUNTS = 3000;
  static final long OPENING_BALANCE = 1_000_000;
  static final int FILLER_ROWS = 40_000;
  static final int WRITERS = 3;
  static final long CHUNK = 64 << 10;

  String source;
  String target;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("pcons_src");
    target = TestServer.uniqueName("pcons_dst");
    server.createDatabase(source);
    // dumped in name order, the big table between the two account tables; the pad makes each
    // account table a few hundred KiB, so that the tiny chunk cuts it into ranges
    server.execute(
        source,
        "CREATE TABLE a_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL,"
            + " pad VARCHAR(200) NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE b_filler (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE c_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL,"
            + " pad VARCHAR(200) NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE d_ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, amount BIGINT NOT NULL)"
            + " ENGINE=InnoDB",
        "INSERT INTO a_accounts SELECT seq, "
            + OPENING_BALANCE
            + ", REPEAT('a', 150) FROM seq_1_to_"
            + ACCOUNTS,
        "INSERT INTO c_accounts SELECT seq, "
            + OPENING_BALANCE
            + ", REPEAT('c', 150) FROM seq_1_to_"
            + ACCOUNTS,
        "INSERT INTO b_filler SELECT seq, REPEAT(CHAR(65 + seq % 26), 150) FROM seq_1_to_"
            + FILLER_ROWS);
    EngineFixture.analyze(source, "a_accounts", "b_filler", "c_accounts");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aDumpOnSeveralConnectionsUnderConcurrentTransfersIsOnePointInTime() throws Exception {
    Map<String, List<String>> plan =
        EngineFixture.plan(source, Set.of("a_accounts", "b_filler", "c_accounts"), CHUNK);
    assertThat(plan).containsKeys("a_accounts", "c_accounts");
    assertThat(plan.get("a_accounts")).as("ranges of a_accounts").hasSizeGreaterThan(3);
    assertThat(plan.get("c_accounts")).as("ranges of c_accounts").hasSizeGreaterThan(3);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong committed = new AtomicLong();
    CountDownLatch warmedUp = new CountDownLatch(WRITERS * 20);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> writers = new ArrayList<>();
    long before;
    long after;
    Map<String, byte[]> dump;
    try {
      for (int i = 0; i < WRITERS; i++) {
        writers.add(pool.submit(() -> transfer(stop, committed, warmedUp)));
      }
      assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("writers committing").isTrue();
      before = committed.get();
      dump = EngineFixture.dump(config(source, 3), "", Features.DEFAULT, CHUNK);
      after = committed.get();
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    for (Future<?> w : writers) {
      w.get(60, TimeUnit.SECONDS); // rethrows a writer's failure
    }
    assertThat(after - before).as("transactions committed during the dump").isPositive();

    EngineFixture.apply(config(target, 3), dump);
    try (Connection c = server.connect(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT SUM(balance) FROM a_accounts), (SELECT SUM(balance) FROM c_accounts),"
                    + " (SELECT COALESCE(SUM(amount), 0) FROM d_ledger), (SELECT COUNT(*) FROM d_ledger),"
                    + " (SELECT COUNT(*) FROM b_filler), (SELECT COUNT(*) FROM a_accounts),"
                    + " (SELECT COUNT(*) FROM c_accounts)")) {
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
      assertThat(transfers).as("the snapshot lies within the dump").isBetween(before, after);
      assertThat(rs.getLong(5)).isEqualTo(FILLER_ROWS);
      assertThat(rs.getLong(6)).isEqualTo(ACCOUNTS);
      assertThat(rs.getLong(7)).isEqualTo(ACCOUNTS);
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
