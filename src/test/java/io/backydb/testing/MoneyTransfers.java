package io.backydb.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bank in one database, for proving that a backup is one point in time: accounts in two tables,
 * {@code a_accounts} and {@code c_accounts}, with a big {@code b_filler} between them in name order
 * (so a dump reads them apart), and writers that keep moving money from one table to the other,
 * logging each move in {@code d_ledger}, while the backup runs. A copy taken at one moment has
 * neither made nor lost money and holds exactly the moves of its ledger.
 */
public final class MoneyTransfers {

  public static final long OPENING_BALANCE = 1_000_000;
  static final int WRITERS = 3;

  private final TestServer server = TestServer.get();
  private final String database;
  private final int accounts;
  private final int fillerRows;

  /** The moves committed just before and just after the work, and what the work returned. */
  public record Window<T>(T result, long before, long after) {}

  public MoneyTransfers(String database, int accounts, int fillerRows) {
    this.database = database;
    this.accounts = accounts;
    this.fillerRows = fillerRows;
  }

  /**
   * Creates the tables. {@code padded}: each account row carries 150 more bytes, so that a small
   * chunk size cuts the account tables into several primary-key ranges.
   */
  public void create(boolean padded) throws SQLException {
    String pad = padded ? ", pad VARCHAR(200) NOT NULL" : "";
    server.createDatabase(database);
    server.execute(
        database,
        "CREATE TABLE a_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL"
            + pad
            + ") ENGINE=InnoDB",
        "CREATE TABLE b_filler (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE c_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL"
            + pad
            + ") ENGINE=InnoDB",
        "CREATE TABLE d_ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, amount BIGINT NOT NULL)"
            + " ENGINE=InnoDB",
        openingBalances("a_accounts", padded ? ", REPEAT('a', 150)" : ""),
        openingBalances("c_accounts", padded ? ", REPEAT('c', 150)" : ""),
        "INSERT INTO b_filler SELECT seq, REPEAT(CHAR(65 + seq % 26), 150) FROM seq_1_to_"
            + fillerRows);
  }

  private String openingBalances(String table, String pad) {
    return "INSERT INTO "
        + table
        + " SELECT seq, "
        + OPENING_BALANCE
        + pad
        + " FROM seq_1_to_"
        + accounts;
  }

  /**
   * Runs {@code work} while {@value #WRITERS} sessions keep moving money (they have committed a few
   * moves before it starts), and returns the window it ran in.
   */
  public <T> Window<T> during(Callable<T> work) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong committed = new AtomicLong();
    CountDownLatch warmedUp = new CountDownLatch(WRITERS * 20);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> writers = new ArrayList<>();
    Window<T> window;
    try {
      for (int i = 0; i < WRITERS; i++) {
        writers.add(pool.submit(() -> transfer(stop, committed, warmedUp)));
      }
      assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("writers committing").isTrue();
      long before = committed.get();
      T result = work.call();
      window = new Window<>(result, before, committed.get());
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    for (Future<?> w : writers) {
      w.get(60, TimeUnit.SECONDS); // rethrows a writer's failure
    }
    assertThat(window.after() - window.before())
        .as("transactions committed during the backup")
        .isPositive();
    return window;
  }

  /** Checks that database {@code copy} is this bank as of one moment within {@code window}. */
  public void assertOnePointInTime(String copy, Window<?> window) throws SQLException {
    try (Connection c = server.connect(copy);
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
          .isEqualTo(2L * accounts * OPENING_BALANCE);
      assertThat(a)
          .as("every move in the ledger, and only those")
          .isEqualTo(accounts * OPENING_BALANCE - moved);
      assertThat(transfers)
          .as("the snapshot lies within the backup")
          .isBetween(window.before(), window.after());
      assertThat(rs.getLong(5)).isEqualTo(fillerRows);
      assertThat(rs.getLong(6)).isEqualTo(accounts);
      assertThat(rs.getLong(7)).isEqualTo(accounts);
    }
  }

  /** Moves random amounts from an account in one table to one in the other, logging each move. */
  private Void transfer(AtomicBoolean stop, AtomicLong committed, CountDownLatch warmedUp)
      throws SQLException {
    try (Connection c = server.connect(database)) {
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
          debit.setInt(2, 1 + r.nextInt(accounts));
          credit.setLong(1, amount);
          credit.setInt(2, 1 + r.nextInt(accounts));
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
