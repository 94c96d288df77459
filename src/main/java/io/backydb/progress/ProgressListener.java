package io.backydb.progress;

import java.util.function.Supplier;

/**
 * Receives the progress of a dump or a restore, table by table. Engines call it from the thread
 * doing the work; implementations must be cheap and thread-safe.
 */
public interface ProgressListener {

  /** Ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /** The work begins; {@code totalEstimatedRows} is the server's estimate of all rows, or -1. */
  default void begin(long totalEstimatedRows) {}

  /**
   * Work on a table's data begins; {@code estimatedRows} is the server's estimate, or -1. A restore
   * may call it again for the same table once it reads the estimate the dump recorded.
   */
  default void tableStarted(String table, long estimatedRows) {}

  /**
   * More rows of {@code table} were dumped or applied; several tables may be in progress at once,
   * on different threads.
   */
  default void rows(String table, long rows, long bytes) {}

  /** The table is done. */
  default void tableFinished(String table) {}

  /**
   * A restore builds the table's secondary indexes, which it left out while the rows loaded: a step
   * that can take minutes for a big table, with no rows to report.
   */
  default void indexesStarted(String table) {}

  /** The table's index build has ended (built, or failed). */
  default void indexesFinished(String table) {}

  /**
   * How to learn what the work waits for once it has made no progress for a while (a lock that
   * another connection holds on a table, say): {@code probe} answers a short phrase, or null while
   * nothing waits. The listener may call it from a thread of its own; null: nothing to ask any
   * more.
   */
  default void waitProbe(Supplier<String> probe) {}
}
