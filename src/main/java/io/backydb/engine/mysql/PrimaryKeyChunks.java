package io.backydb.engine.mysql;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits big InnoDB tables into ranges of their primary key, so that several connections can read
 * one table at once. A table qualifies when the first column of its primary key is an integer; the
 * range from its smallest to its largest value is cut into equal parts of about {@code chunkBytes}
 * of table data each. Read in order, the ranges give the rows in primary-key order, the order of a
 * whole-table read. Each range ends its own INSERT statement, so the statements depend on the
 * split: a dump splits tables the same way whatever number of connections reads them, and is then
 * the same, byte for byte, however many there are.
 *
 * <p>Other tables (no primary key, a non-integer key, MyISAM, whose whole-table order is not key
 * order) are read whole.
 */
final class PrimaryKeyChunks {

  private static final Set<String> INTEGER_TYPES =
      Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");

  /** Upper bound of ranges per table, whatever its size. */
  static final int MAX_CHUNKS = 1024;

  private PrimaryKeyChunks() {}

  /**
   * The WHERE conditions that split each big table, in key order; tables not in the map are read
   * whole. Runs inside the dump's snapshot, so the bounds match the rows that will be read.
   */
  static Map<String, List<String>> plan(
      Connection c, String database, Set<String> tables, long chunkBytes) throws SQLException {
    Map<String, String> keyColumn = new HashMap<>();
    Map<String, Long> dataBytes = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t.TABLE_NAME, t.DATA_LENGTH, k.COLUMN_NAME, col.DATA_TYPE"
                + " FROM information_schema.TABLES t"
                + " JOIN information_schema.STATISTICS k ON k.TABLE_SCHEMA = t.TABLE_SCHEMA"
                + "  AND k.TABLE_NAME = t.TABLE_NAME AND k.INDEX_NAME = 'PRIMARY'"
                + "  AND k.SEQ_IN_INDEX = 1"
                + " JOIN information_schema.COLUMNS col ON col.TABLE_SCHEMA = t.TABLE_SCHEMA"
                + "  AND col.TABLE_NAME = t.TABLE_NAME AND col.COLUMN_NAME = k.COLUMN_NAME"
                + " WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE'"
                + "  AND t.ENGINE = 'InnoDB' AND t.DATA_LENGTH > ?")) {
      ps.setString(1, database);
      ps.setLong(2, chunkBytes);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1);
          String type = rs.getString(4).toLowerCase(java.util.Locale.ROOT);
          if (tables.contains(table) && INTEGER_TYPES.contains(type)) {
            dataBytes.put(table, rs.getLong(2));
            keyColumn.put(table, rs.getString(3));
          }
        }
      }
    }
    Map<String, List<String>> plan = new HashMap<>();
    for (Map.Entry<String, String> e : keyColumn.entrySet()) {
      String table = e.getKey();
      String column = SqlText.quoteIdent(e.getValue());
      int parts = (int) Math.min(MAX_CHUNKS, (dataBytes.get(table) + chunkBytes - 1) / chunkBytes);
      List<String> ranges = ranges(c, database, table, column, parts);
      if (ranges.size() > 1) {
        plan.put(table, ranges);
      }
    }
    return plan;
  }

  private static List<String> ranges(
      Connection c, String database, String table, String column, int parts) throws SQLException {
    BigInteger min;
    BigInteger max;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT MIN("
                    + column
                    + "), MAX("
                    + column
                    + ") FROM "
                    + SqlText.quoteIdent(database)
                    + "."
                    + SqlText.quoteIdent(table))) {
      rs.next();
      if (rs.getString(1) == null) {
        return List.of(); // empty
      }
      min = new BigInteger(rs.getString(1));
      max = new BigInteger(rs.getString(2));
    }
    return split(column, min, max, parts);
  }

  /**
   * {@code parts} conditions covering every value, in ascending order (fewer if the span is small).
   */
  static List<String> split(String column, BigInteger min, BigInteger max, int parts) {
    BigInteger span = max.subtract(min).add(BigInteger.ONE);
    int n = (int) Math.min(parts, span.min(BigInteger.valueOf(MAX_CHUNKS)).longValue());
    List<BigInteger> bounds = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      BigInteger b = min.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n)));
      if (bounds.isEmpty() || b.compareTo(bounds.get(bounds.size() - 1)) > 0) {
        bounds.add(b);
      }
    }
    List<String> where = new ArrayList<>();
    if (bounds.isEmpty()) {
      return where;
    }
    where.add(column + " < " + bounds.get(0));
    for (int i = 1; i < bounds.size(); i++) {
      where.add(column + " >= " + bounds.get(i - 1) + " AND " + column + " < " + bounds.get(i));
    }
    where.add(column + " >= " + bounds.get(bounds.size() - 1));
    return where;
  }
}
