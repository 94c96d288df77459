package io.backydb.engine.mysql;

import java.util.Locale;
import java.util.Set;

/** How a column's value is read from the server and written as a SQL literal. */
enum ColumnKind {
  /** Integers and DECIMAL: the server's text is already an exact literal. */
  NUMBER,
  /**
   * FLOAT: the text protocol rounds it to 6 digits, so it is selected as {@code col + 0e0} (the
   * exact value as a DOUBLE, printed in shortest round-trip form) and converts back exactly.
   */
  FLOAT,
  /** DOUBLE: the server prints the shortest text that reads back to the same bits. */
  DOUBLE,
  /** BIT: raw bytes, written as {@code b'...'}. */
  BIT,
  /** Binary strings, BLOBs and spatial values: hex literals. */
  BINARY,
  /**
   * ENUM: an escaped string literal, except for the error value a permissive sql_mode stores for a
   * value not in the list (index 0). It reads as '', like a member '' the list may have, so it is
   * selected with an {@link #ENUM_ERROR} flag after it and written as {@code (0)}: the number
   * inserts index 0, and the parentheses keep {@link LoadDataChunk} from reading it as the string
   * '0', which a member '0' would take.
   */
  ENUM,
  /** Whether the ENUM before it holds the error value: selected, never written on its own. */
  ENUM_ERROR,
  /** Everything else (text, SET, JSON, dates and times): an escaped string literal. */
  STRING;

  private static final Set<String> NUMBERS =
      Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric");
  private static final Set<String> BINARIES =
      Set.of(
          "binary",
          "varbinary",
          "tinyblob",
          "blob",
          "mediumblob",
          "longblob",
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection",
          "geomcollection");

  /** The kind for information_schema.COLUMNS.DATA_TYPE. */
  static ColumnKind of(String dataType) {
    String t = dataType.toLowerCase(Locale.ROOT);
    if (NUMBERS.contains(t)) {
      return NUMBER;
    }
    if (t.equals("float")) {
      return FLOAT;
    }
    if (t.equals("double") || t.equals("real") || t.equals("double precision")) {
      return DOUBLE;
    }
    if (t.equals("bit")) {
      return BIT;
    }
    if (BINARIES.contains(t)) {
      return BINARY;
    }
    if (t.equals("enum")) {
      return ENUM;
    }
    return STRING;
  }
}
