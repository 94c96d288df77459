package io.backydb.engine.mysql;

import io.backydb.progress.ProgressListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the data section's statements on several connections ("lanes") at once, while the restore's
 * own thread goes on reading and splitting the dump.
 *
 * <p>Order is kept where it shows: all statements of a table that is not an InnoDB table with a
 * primary key go to one lane, in dump order, because such a table keeps its rows in insertion
 * order. An InnoDB table with a primary key keeps them in key order however they arrive, so its
 * statements go to whichever lane has least work. Each lane holds at most {@value #QUEUED}
 * statements of about 1 MiB waiting, so memory is bounded whatever the size of the dump.
 */
final class ParallelInserts implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ParallelInserts.class);

  /** Statements waiting per lane. */
  static final int QUEUED = 4;

  /** Times a statement is tried again when the server chose it as a deadlock victim. */
  private static final int DEADLOCK_RETRIES = 3;

  /**
   * One statement, and where it stands in the dump, for an error message; {@code indexesOf} names
   * the table whose secondary indexes it builds, if it does.
   */
  private record Job(String table, String sql, String where, String indexesOf) {}

  /** Tells a lane to end: the one job without a statement. */
  private static final Job STOP = new Job(null, null, null, null);

  /**
   * The first statement that failed: where, the table it loads (null for one of no table's own, an
   * index build), and why.
   */
  record Failure(String where, String table, Exception cause) {}

  private final List<Lane> lanes = new ArrayList<>();
  private final AtomicLong outstanding = new AtomicLong();
  private final AtomicReference<Failure> failure = new AtomicReference<>();
  private final Map<String, Long> rowsLoaded;
  private final ProgressListener progress;
  private final Object idle = new Object();

  /** Tables whose secondary indexes a lane has built (see {@link #buildIndexesAfter}). */
  private final Set<String> indexesBuilt = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Per table: statements queued or running, and what runs once they are all done. */
  private final Map<String, TableWork> tables = new java.util.HashMap<>();

  private Lane stickyLane;
  private int nextLane;

  /** The server's ids of the lanes' sessions ({@link LockWaits}). */
  private final List<Long> connectionIds = new ArrayList<>();

  /**
   * Opens {@code lanes} connections to {@code database}, each prepared by the session statements of
   * the dump's header ({@code SET NAMES ...}, {@code SET FOREIGN_KEY_CHECKS = 0}, ...).
   */
  ParallelInserts(
      MySqlConnections connections,
      String database,
      List<String> sessionSetup,
      int lanes,
      Set<String> localRowsTables,
      Map<String, Long> rowsLoaded,
      ProgressListener progress)
      throws SQLException {
    this.rowsLoaded = rowsLoaded;
    this.progress = progress;
    boolean localRows = !localRowsTables.isEmpty();
    AtomicBoolean refused = new AtomicBoolean();
    try {
      for (int i = 0; i < lanes; i++) {
        // the dump's statements are raw bytes (see MySqlApplier): so are the lanes' connections
        Connection c = connections.openRaw(localRows);
        Lane lane = new Lane(c, i);
        this.lanes.add(lane);
        connectionIds.add(LockWaits.idOf(c));
        c.setCatalog(DumpDirectives.encodeRaw(database));
        lane.statement = c.createStatement();
        lane.statement.setEscapeProcessing(false);
        if (localRows) {
          lane.loader = new LocalRowsLoader(localRowsTables, refused, c, lane.statement);
        }
        for (String sql : sessionSetup) {
          lane.statement.execute(sql);
        }
      }
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
    for (Lane lane : this.lanes) {
      lane.thread.start();
    }
  }

  /** The server's ids of the lanes' sessions. */
  List<Long> connectionIds() {
    return List.copyOf(connectionIds);
  }

  /**
   * A new table's statements follow. {@code anyOrder}: its rows may be inserted in any order (an
   * InnoDB table with a primary key).
   */
  void beginTable(boolean anyOrder) {
    stickyLane = anyOrder ? null : leastBusy();
  }

  /**
   * Queues a statement of {@code table} (null for none). Returns at once if a lane has failed:
   * callers check {@link #failure()}.
   */
  void submit(String table, String sql, String where) throws InterruptedException {
    if (table != null) {
      work(table).add();
    }
    enqueue(new Job(table, sql, where, null));
  }

  /**
   * Runs {@code sql}, which builds {@code table}'s secondary indexes, once every statement of the
   * table queued so far has run (at once if they have), on the lane that finished the last one,
   * while the other lanes go on.
   */
  void buildIndexesAfter(String table, String sql, String where) throws InterruptedException {
    outstanding.incrementAndGet();
    Job build = new Job(null, sql, where, table);
    if (!work(table).setAfter(build)) {
      outstanding.decrementAndGet();
      enqueue(build);
    }
  }

  /** Whether a lane has built {@code table}'s secondary indexes, as asked by buildIndexesAfter. */
  boolean indexesBuilt(String table) {
    return indexesBuilt.contains(table);
  }

  /**
   * No more rows of {@code table} follow: the progress hears that the table is finished once its
   * statements queued so far have run (at once if they have).
   */
  void endTable(String table) {
    if (work(table).end()) {
      progress.tableFinished(table);
    }
  }

  private TableWork work(String table) {
    synchronized (tables) {
      return tables.computeIfAbsent(table, t -> new TableWork());
    }
  }

  /** A table's statements in flight, the job that waits for them, and whether more follow. */
  private static final class TableWork {
    private long pending;
    private Job after;
    private boolean ended;
    private boolean finished;

    synchronized void add() {
      pending++;
    }

    /** No more statements follow; true if the table is finished now (nothing pending). */
    synchronized boolean end() {
      ended = true;
      return finishedNow();
    }

    /** True once: when no statement follows and none is pending. */
    synchronized boolean finishedNow() {
      if (ended && pending == 0 && !finished) {
        finished = true;
        return true;
      }
      return false;
    }

    /** Sets the job to run when nothing is pending; false if nothing is pending now. */
    synchronized boolean setAfter(Job job) {
      if (pending == 0) {
        return false;
      }
      after = job;
      return true;
    }

    /** One statement is done; returns the job to run now, if any. */
    synchronized Job done() {
      pending--;
      if (pending == 0 && after != null) {
        Job j = after;
        after = null;
        return j;
      }
      return null;
    }
  }

  private void enqueue(Job job) throws InterruptedException {
    boolean sticky = stickyLane != null && job.table() != null;
    outstanding.incrementAndGet();
    // a job free to go anywhere waits for whichever lane makes room first, not for the one that
    // looked least busy: that one may have just started building a big table's indexes
    while (!(sticky ? stickyLane : leastBusy()).queue.offer(job, 10, TimeUnit.MILLISECONDS)) {
      if (failure.get() != null) {
        outstanding.decrementAndGet();
        return;
      }
    }
  }

  /** The first failure, or null. */
  Failure failure() {
    return failure.get();
  }

  /** Waits until every queued statement has run, or one has failed. */
  void awaitAll() throws InterruptedException {
    synchronized (idle) {
      while (outstanding.get() > 0 && failure.get() == null) {
        idle.wait(100);
      }
    }
  }

  /**
   * The lane with the fewest statements waiting; one that builds indexes (a job of no table's own,
   * which may run for seconds) only when all do.
   */
  private Lane leastBusy() {
    Lane best = null;
    for (int i = 0; i < lanes.size(); i++) {
      Lane l = lanes.get((nextLane + i) % lanes.size());
      if (best == null || l.load() < best.load()) {
        best = l;
      }
    }
    nextLane = (nextLane + 1) % lanes.size();
    return best;
  }

  /**
   * Stops the lanes and closes their connections. Statements still queued are dropped; after a
   * failure, a statement still running on another lane (say a long index build) is cancelled rather
   * than waited for.
   */
  @Override
  public void close() {
    if (failure.get() != null) {
      for (Lane lane : lanes) {
        try {
          if (lane.statement != null && lane.busy) {
            lane.statement.cancel();
          }
        } catch (SQLException e) {
          LOG.debug("cancelling a restore statement: {}", MySqlConnections.firstLine(e));
        }
      }
    }
    for (Lane lane : lanes) {
      if (lane.thread.isAlive()) {
        lane.queue.clear();
        // a full queue empties as the lane runs; STOP then gets in
        try {
          while (!lane.queue.offer(STOP, 100, TimeUnit.MILLISECONDS)) {
            lane.queue.clear();
          }
          lane.thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        lane.connection.close();
      } catch (SQLException e) {
        LOG.debug("closing a restore connection: {}", MySqlConnections.firstLine(e));
      }
    }
  }

  private final class Lane implements Runnable {
    final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUED);
    final Connection connection;
    final Thread thread;
    Statement statement;

    /** Whether the lane runs a job of no table's own: building a table's indexes, say. */
    volatile boolean building;

    /** Statements waiting; while the lane builds indexes, more than a full queue's worth. */
    int load() {
      return queue.size() + (building ? QUEUED + 1 : 0);
    }

    /** Loads data statements' rows with LOAD DATA where it can, or null. */
    LocalRowsLoader loader;

    /** Whether a statement is running (read by close(), to cancel it after a failure). */
    volatile boolean busy;

    Lane(Connection connection, int index) {
      this.connection = connection;
      this.thread = new Thread(this, "backy-restore-" + index);
      this.thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (true) {
        Job job;
        try {
          job = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (job.sql() == null) { // STOP
          return;
        }
        run(job);
        if (job.table() != null) {
          TableWork work;
          synchronized (tables) {
            work = tables.get(job.table());
          }
          Job after = work.done();
          if (work.finishedNow()) {
            progress.tableFinished(job.table());
          }
          if (after != null) {
            run(after);
          }
        }
      }
    }

    private void run(Job job) {
      try {
        if (failure.get() == null) {
          busy = true;
          // a job of no table's own (a table's index build, mostly) may take long
          building = job.table() == null;
          execute(job);
        }
      } catch (SQLException | RuntimeException e) {
        // anything, so that a lane never dies silently and leaves awaitAll() waiting for it
        failure.compareAndSet(null, new Failure(job.where(), job.table(), e));
      } finally {
        busy = false;
        building = false;
        if (outstanding.decrementAndGet() == 0 || failure.get() != null) {
          synchronized (idle) {
            idle.notifyAll();
          }
        }
      }
    }

    private void execute(Job job) throws SQLException {
      if (job.indexesOf() != null) {
        progress.indexesStarted(job.indexesOf());
        try {
          statement.execute(job.sql());
          indexesBuilt.add(job.indexesOf());
        } finally {
          progress.indexesFinished(job.indexesOf());
        }
        return;
      }
      if (loader != null && job.table() != null) {
        long loaded = loader.load(job.table(), job.sql());
        if (loaded >= 0) {
          counted(job, loaded);
          return;
        }
      }
      for (int attempt = 0; ; attempt++) {
        try {
          statement.execute(job.sql());
          break;
        } catch (SQLException e) {
          // an autocommitted INSERT chosen as a deadlock victim was rolled back whole: run it again
          if (!"40001".equals(e.getSQLState()) || attempt >= DEADLOCK_RETRIES) {
            throw e;
          }
        }
      }
      counted(job, statement.getUpdateCount());
    }

    private void counted(Job job, long rows) {
      if (job.table() != null && rows > 0) {
        synchronized (rowsLoaded) {
          rowsLoaded.merge(job.table(), rows, Long::sum);
        }
        progress.rows(job.table(), rows, job.sql().length());
      }
    }
  }
}
