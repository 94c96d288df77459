package io.backydb.cli;

import io.backydb.OneLine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows printed in columns as wide as their widest cell, so that a long value (a backup's many
 * features, a long database name) pushes its column wider instead of the rest of its line out of
 * line. Columns are two spaces apart; the last one is not padded.
 */
final class Table {

  private final boolean[] rightAligned;
  private final int[] minWidths;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * @param header the column titles
   * @param rightAligned which columns are right-aligned (numbers), by index
   */
  Table(String[] header, int... rightAligned) {
    this.rightAligned = new boolean[header.length];
    this.minWidths = new int[header.length];
    for (int i : rightAligned) {
      this.rightAligned[i] = true;
    }
    rows.add(header.clone());
  }

  /** Adds a row of as many cells as the header has. */
  Table row(String... cells) {
    if (cells.length != rightAligned.length) {
      throw new IllegalArgumentException(
          "a row of " + cells.length + " cells in a table of " + rightAligned.length + " columns");
    }
    String[] row = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      row[i] = OneLine.of(cells[i]); // a database's name may hold a line break
    }
    rows.add(row);
    return this;
  }

  /** Makes column {@code column} at least {@code width} wide. */
  Table atLeast(int column, int width) {
    minWidths[column] = Math.max(minWidths[column], width);
    return this;
  }

  /** The width of column {@code column}: its widest cell, or more if asked. */
  int width(int column) {
    int w = minWidths[column];
    for (String[] r : rows) {
      w = Math.max(w, r[column].length());
    }
    return w;
  }

  void print(PrintWriter out) {
    int[] widths = new int[rightAligned.length];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = width(c);
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        boolean last = c == r.length - 1;
        String pad = " ".repeat(widths[c] - r[c].length());
        if (c > 0) {
          line.append("  ");
        }
        if (rightAligned[c]) {
          line.append(pad).append(r[c]);
        } else {
          line.append(r[c]).append(last ? "" : pad);
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
