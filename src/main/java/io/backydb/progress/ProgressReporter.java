package io.backydb.progress;

import io.backydb.OneLine;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows the progress of a long backup or restore: the table that last made progress, its rows
 * against the server's estimate, the totals, rate and ETA. Tables are read and written on several
 * connections at once, so each table's rows are counted on their own. When stderr is a terminal it
 * redraws one status line there every second; otherwise it writes a log line every {@link
 * #LOG_INTERVAL}. After {@link #STALL} without progress it asks the work's {@link #waitProbe} what
 * it waits for, and shows that instead of an ETA.
 */
public final class ProgressReporter implements ProgressListener, AutoCloseable {

  static final Duration LOG_INTERVAL = Duration.ofSeconds(30);

  /** How long without progress before the status asks what the work waits for. */
  static final Duration STALL = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final String operation;
  private volatile long totalEstimatedRows;
  private final LongSupplier clock;
  private final long startNanos;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /** The tables started and not finished, by name. */
  private final Map<String, TableCount> tables = new ConcurrentHashMap<>();

  /** The table that last started or made progress: the one the status line shows. */
  private volatile String shown = "";

  /** The tables whose indexes are being built. */
  private final Set<String> indexing = ConcurrentHashMap.newKeySet();

  /** When the work last told of progress (a table started or ended, rows, an index build). */
  private volatile long lastProgressNanos;

  /** What the work waits for, asked once it makes no progress; null if it cannot tell. */
  private volatile Supplier<String> waitProbe;

  private ScheduledExecutorService timer;
  private Consumer<String> sink;
  private boolean terminal;

  /**
   * A reporter that only counts; {@link #start} makes it print.
   *
   * @param operation what is being done, e.g. {@code backup of shop}
   * @param totalEstimatedRows the server's estimate of all rows, or -1 if unknown
   */
  public ProgressReporter(String operation, long totalEstimatedRows, LongSupplier nanoClock) {
    this.operation = operation;
    this.totalEstimatedRows = totalEstimatedRows;
    this.clock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.lastProgressNanos = startNanos;
  }

  /** Prints to stderr if it is a terminal, to the log otherwise. */
  public ProgressReporter start() {
    terminal = StderrTerminal.isTerminal();
    PrintStream err = System.err;
    sink = terminal ? line -> err.print("\r" + OneLine.of(line) + "\u001b[K") : LOG::info;
    Duration every = terminal ? Duration.ofSeconds(1) : LOG_INTERVAL;
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "backy-progress");
              t.setDaemon(true);
              return t;
            });
    var unused =
        timer.scheduleAtFixedRate(
            () -> sink.accept(status()), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void begin(long estimate) {
    totalEstimatedRows = estimate;
  }

  @Override
  public void tableStarted(String name, long estimatedRows) {
    count(name).estimate = estimatedRows;
    shown = name;
    progressed();
  }

  @Override
  public void rows(String name, long n, long b) {
    rows.addAndGet(n);
    bytes.addAndGet(b);
    TableCount t = count(name);
    t.rows.addAndGet(n);
    t.bytes.addAndGet(b);
    shown = name;
    progressed();
  }

  @Override
  public void tableFinished(String name) {
    tables.remove(name);
    progressed();
  }

  @Override
  public void indexesStarted(String name) {
    indexing.add(name);
    progressed();
  }

  @Override
  public void indexesFinished(String name) {
    indexing.remove(name);
    progressed();
  }

  @Override
  public void waitProbe(Supplier<String> probe) {
    waitProbe = probe;
  }

  private void progressed() {
    lastProgressNanos = clock.getAsLong();
  }

  /**
   * What the work waits for, once it has made no progress for {@link #STALL}; null before, without
   * a probe, or while the probe sees nothing waiting.
   */
  private String waitingFor(long now) {
    Supplier<String> probe = waitProbe;
    if (probe == null || now - lastProgressNanos < STALL.toNanos()) {
      return null;
    }
    try {
      return probe.get();
    } catch (RuntimeException e) {
      return null; // only a status line: it goes on without
    }
  }

  private TableCount count(String table) {
    return tables.computeIfAbsent(table, t -> new TableCount());
  }

  /** One table's rows and bytes so far and the server's estimate of its rows (-1: unknown). */
  private static final class TableCount {
    final AtomicLong rows = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    volatile long estimate = -1;
  }

  /** The current status line. */
  public String status() {
    long now = clock.getAsLong();
    double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
    long r = rows.get();
    long b = bytes.get();
    StringBuilder s = new StringBuilder(operation).append(": ");
    String table = shown;
    TableCount t = tables.get(table);
    if (t != null) {
      long tableRows = t.rows.get();
      s.append("table ").append(table).append(' ').append(count(tableRows));
      // InnoDB's estimate can be well off (tables of large BLOBs): once passed, it says nothing
      if (t.estimate > 0 && tableRows <= t.estimate) {
        s.append('/').append(count(t.estimate));
      }
      s.append(" rows, ").append(mib(t.bytes.get())).append("; ");
    }
    s.append("total ").append(count(r)).append(" rows, ").append(mib(b)).append(", ");
    s.append(String.format(Locale.ROOT, "%.1f MiB/s", b / seconds / (1 << 20)));
    // while the work waits (for a lock, say) the rate is falling: an ETA would only mislead
    String waiting = waitingFor(now);
    if (waiting == null && totalEstimatedRows > 0 && r > 0 && r < totalEstimatedRows) {
      long eta = (long) ((totalEstimatedRows - r) * (seconds / r));
      s.append(
          String.format(
              Locale.ROOT,
              ", about %d%%, ETA %d:%02d",
              r * 100 / totalEstimatedRows,
              eta / 60,
              eta % 60));
    }
    if (!indexing.isEmpty()) {
      s.append("; building the indexes of ").append(String.join(", ", new TreeSet<>(indexing)));
    }
    if (waiting != null) {
      s.append("; no progress for ")
          .append((now - lastProgressNanos) / 1_000_000_000L)
          .append(" s: ")
          .append(waiting);
    }
    return s.toString();
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String mib(long b) {
    return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1 << 20));
  }

  /** Stops printing; on a terminal, ends the status line. */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      if (terminal) {
        System.err.print("\r\u001b[K");
      }
    }
  }
}
