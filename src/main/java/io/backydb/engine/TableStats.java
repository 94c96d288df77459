package io.backydb.engine;

/**
 * Rows and bytes of SQL written for one table's data.
 *
 * @param sequence whether it is a sequence (MariaDB), whose data is its state (next value, cycle
 *     round) rather than rows: it counts no rows
 */
public record TableStats(String name, long rows, long bytes, boolean sequence) {

  /** A table's (not a sequence's) rows and bytes. */
  public TableStats(String name, long rows, long bytes) {
    this(name, rows, bytes, false);
  }
}
