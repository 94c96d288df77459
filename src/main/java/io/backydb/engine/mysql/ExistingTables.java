package io.backydb.engine.mysql;

import io.backydb.engine.DumpContents.Column;
import io.backydb.engine.DumpContents.KeyPart;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables a restore loads rows into without creating them (the backup holds no CREATE TABLE, or
 * the restore's features leave them out): they must exist before anything is applied, with the
 * columns the backup's rows fill ({@link #columnDifferences}), and with {@code replace_existing}
 * each is emptied just before its rows are loaded, so that it ends up with exactly the backup's
 * rows and a restore run again gives the same tables, not duplicates.
 *
 * <p>A table is emptied with {@code TRUNCATE TABLE}: fast whatever its size, it fires no trigger of
 * the target's, and with foreign key checks off (as for the whole restore) neither cascades nor
 * fails on a table other tables refer to. MariaDB refuses TRUNCATE on a system-versioned table, so
 * its rows are deleted and then its history (its own DELETE triggers fire there). A sequence is
 * restarted: the dump's {@code SETVAL}, which never moves a sequence back, then sets its value and
 * cycle round.
 */
final class ExistingTables {

  private static final String SEQUENCE = "SEQUENCE";
  private static final String VERSIONED = "SYSTEM VERSIONED";

  /** Table name → TABLE_TYPE, for the tables rows can be loaded into (not views). */
  private final Map<String, String> types;

  private boolean foreignKeyChecksOff;

  private ExistingTables(Map<String, String> types) {
    this.types = types;
  }

  /** The tables {@code database} has now (none if it does not exist). */
  static ExistingTables of(Connection c, String database) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_TYPE IN ('BASE TABLE', '"
                + VERSIONED
                + "', '"
                + SEQUENCE
                + "')")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return new ExistingTables(types);
  }

  /** The tables of {@code needed} that are not there, in name order. */
  Set<String> missing(Set<String> needed) {
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(types.keySet());
    return missing;
  }

  /**
   * How the columns of the tables of {@code rowColumns} (the columns the backup's rows of each are
   * inserted into) differ from the backup's rows, one phrase per table that differs, in name order;
   * empty if they all take the rows as they are. A table not there is left out (see {@link
   * #missing}). A column the rows fill must be one the table lets them fill (not a generated
   * column; a system-versioned table's period columns, named or implicit, where the rows carry
   * history), and every column the table lets them fill must be one they fill: a column the rows
   * lack would get its default in every row, and an INSERT naming a column the table lacks fails,
   * after the rows of the tables before it were loaded. Column names compare case-insensitively, as
   * the server compares them; their order does not matter (the INSERTs name their columns). Where
   * {@code backupColumns} tells a table's columns as the backup's definition declares them, a
   * column the rows fill must also take their values unchanged ({@link ColumnTypes}): the restore's
   * permissive session would otherwise convert or cut a value that does not fit, with a warning
   * only. A backup without definitions (a data-only one written before it carried them as {@code --
   * backy:definition} lines) tells no types, and none are compared.
   *
   * <p>Where the backup's definition also tells the table's unique keys ({@code backupKeys}), each
   * unique key of the target must hold the rows as one of the backup's did, or the restore would
   * fail at a duplicate half-way, the table emptied: a key of the backup on some of its columns
   * (whole, or a prefix no longer than the target's) with, for each of its text columns, the same
   * collation on both sides or on the target one that tells at least as many values apart (a binary
   * one of the same character set and pad attribute, or NO PAD). One whose columns differ otherwise
   * in collation is a difference ({@code 'a'} and {@code 'A'} are two values in {@code utf8mb4_bin}
   * and one in {@code utf8mb4_general_ci}); one the backup has no such key for is {@linkplain
   * Differences#uncoveredKeys uncovered}: only the rows can tell whether they hold it. A collation
   * the definition does not tell is not compared.
   */
  Differences columnDifferences(
      Connection c,
      String database,
      Map<String, List<String>> rowColumns,
      Map<String, Map<String, Column>> backupColumns,
      Map<String, List<List<KeyPart>>> backupKeys)
      throws SQLException {
    Map<String, TableColumns> target = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, COLUMN_NAME, EXTRA, GENERATION_EXPRESSION, COLUMN_TYPE,"
                + " CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1);
          if (rowColumns.containsKey(table) && types.containsKey(table)) {
            target
                .computeIfAbsent(table, t -> new TableColumns())
                .add(
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    new Column(
                        rs.getString(5),
                        rs.getString(6),
                        lowerCase(rs.getString(7)),
                        "YES".equals(rs.getString(8))));
          }
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0"
                + " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableColumns columns = target.get(rs.getString(1));
          if (columns != null) {
            String column = rs.getString(3); // null for MySQL's functional key part
            columns.addKeyPart(
                rs.getString(2),
                new KeyPart(column == null ? null : column.toLowerCase(Locale.ROOT), rs.getInt(4)));
          }
        }
      }
    }
    Map<String, String> differences = new TreeMap<>();
    Map<String, Map<String, String>> uncovered = new LinkedHashMap<>();
    Pads pads = new Pads(c);
    for (Map.Entry<String, List<String>> e : rowColumns.entrySet()) {
      String table = e.getKey();
      TableColumns columns = target.get(table);
      if (columns == null) {
        continue;
      }
      Map<String, Column> backup = backupColumns.getOrDefault(table, Map.of());
      List<String> parts = new ArrayList<>();
      String d = columns.differenceFrom(e.getValue(), VERSIONED.equals(types.get(table)), backup);
      if (d != null) {
        parts.add(d);
      }
      if (!backup.isEmpty()) {
        // the definition is known: so are the keys the rows were unique in
        Map<String, String> keys = new LinkedHashMap<>();
        String k =
            columns.keyDifference(backup, backupKeys.getOrDefault(table, List.of()), keys, pads);
        if (k != null) {
          parts.add(k);
        }
        if (!keys.isEmpty()) {
          uncovered.put(table, keys);
        }
      }
      if (!parts.isEmpty()) {
        differences.put(table, String.join(" and ", parts));
      }
    }
    return new Differences(differences, uncovered);
  }

  /**
   * What {@link #columnDifferences} found.
   *
   * @param refused per table that cannot take the backup's rows as they are, why, as a phrase; in
   *     name order
   * @param uncoveredKeys per table (in name order), the target's unique keys the backup's
   *     definitions have no key for, each by its name to {@code unique key `name` (`a`, `b`)}: the
   *     rows may or may not hold them
   */
  record Differences(Map<String, String> refused, Map<String, Map<String, String>> uncoveredKeys) {

    /** The uncovered keys, each as {@code `table` unique key `name` (`a`, `b`)}. */
    List<String> uncoveredKeyPhrases() {
      List<String> phrases = new ArrayList<>();
      uncoveredKeys.forEach(
          (table, keys) ->
              keys.values().forEach(k -> phrases.add(SqlText.quoteIdent(table) + " " + k)));
      return phrases;
    }
  }

  /** The names of {@code table}'s unique keys (PRIMARY and UNIQUE), in name order. One query. */
  static List<String> uniqueKeyNames(Connection c, String database, String table)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                + " ORDER BY INDEX_NAME")) {
      ps.setString(1, database);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  private static String lowerCase(String name) {
    return name == null ? null : name.toLowerCase(Locale.ROOT);
  }

  /**
   * The INSERT triggers of the tables of {@code loaded} (those the restore loads rows into without
   * creating them), each as {@code `table` (`trigger`, ...)}, in name order; empty if none has any.
   * They fire for every restored row (MariaDB cannot turn them off for a session): a BEFORE INSERT
   * trigger may change the row, an AFTER INSERT one write rows elsewhere. One query.
   */
  static List<String> insertTriggers(Connection c, String database, Set<String> loaded)
      throws SQLException {
    Map<String, List<String>> triggers = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS"
                + " WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_MANIPULATION = 'INSERT'"
                + " ORDER BY TRIGGER_NAME")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (loaded.contains(rs.getString(1))) {
            triggers
                .computeIfAbsent(rs.getString(1), t -> new ArrayList<>())
                .add(SqlText.quoteIdent(rs.getString(2)));
          }
        }
      }
    }
    List<String> named = new ArrayList<>();
    triggers.forEach(
        (table, names) ->
            named.add(SqlText.quoteIdent(table) + " (" + String.join(", ", names) + ")"));
    return named;
  }

  /**
   * Whether collations pad with spaces (PAD SPACE: {@code 'a' = 'a '}) or not (NO PAD), as the
   * target server compares: asked of it, once per collation, since neither MariaDB 10.11's {@code
   * information_schema.COLLATIONS} (no PAD_ATTRIBUTE) nor the names tell it for every server (MySQL
   * 8's {@code utf8mb4_0900_ai_ci} is NO PAD without saying so).
   */
  static final class Pads {
    /** The server's error for a collation it does not know. */
    private static final int UNKNOWN_COLLATION = 1273;

    /** The server's error for a collation not of the character set. */
    private static final int COLLATION_CHARSET_MISMATCH = 1253;

    private final Connection c;
    private final Map<String, Boolean> known = new HashMap<>();

    Pads(Connection c) {
      this.c = c;
    }

    /**
     * Whether {@code collation}, of character set {@code charset}, pads with spaces; null if the
     * server does not know it as one of that character set.
     */
    Boolean padsSpace(String collation, String charset) throws SQLException {
      String key = charset + " " + collation;
      if (known.containsKey(key)) {
        return known.get(key);
      }
      Boolean pads;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT CONVERT('a' USING "
                      + SqlText.quoteIdent(charset)
                      + ") COLLATE "
                      + SqlText.quoteIdent(collation)
                      + " = CONVERT('a ' USING "
                      + SqlText.quoteIdent(charset)
                      + ")")) {
        rs.next();
        pads = rs.getInt(1) == 1;
      } catch (SQLException e) {
        if (e.getErrorCode() != UNKNOWN_COLLATION
            && e.getErrorCode() != COLLATION_CHARSET_MISMATCH) {
          throw e;
        }
        pads = null;
      }
      known.put(key, pads);
      return pads;
    }
  }

  /** One target table's columns, by lower-case name as the server compares them. */
  private static final class TableColumns {
    private final Map<String, String> fillable = new LinkedHashMap<>();
    private final Map<String, String> generated = new LinkedHashMap<>();
    private final Map<String, String> period = new LinkedHashMap<>();

    /** Every column's type. */
    private final Map<String, Column> typed = new HashMap<>();

    /** The unique keys, by name, each as its parts in order. */
    private final Map<String, List<KeyPart>> uniqueKeys = new LinkedHashMap<>();

    void addKeyPart(String key, KeyPart part) {
      uniqueKeys.computeIfAbsent(key, k -> new ArrayList<>()).add(part);
    }

    /**
     * How the unique keys compare with those of the backup's table, whose columns are {@code
     * backup} and unique keys {@code backupKeys}: a phrase naming the columns of a key that the
     * backup's holds in another collation, null if none; the keys the backup has no key for are put
     * in {@code uncovered}, each by its name to {@code unique key `name` (`a`, `b`)}.
     */
    String keyDifference(
        Map<String, Column> backup,
        List<List<KeyPart>> backupKeys,
        Map<String, String> uncovered,
        Pads pads)
        throws SQLException {
      Map<String, String> collations = new LinkedHashMap<>();
      keys:
      for (Map.Entry<String, List<KeyPart>> key : uniqueKeys.entrySet()) {
        String name = key.getKey();
        Map<String, String> differ = null;
        for (List<KeyPart> theirs : backupKeys) {
          if (covers(theirs, key.getValue())) {
            Map<String, String> d = collationDifferences(theirs, backup, pads);
            if (d.isEmpty()) {
              continue keys; // the rows were unique in it, as the target compares them
            }
            differ = differ == null ? d : differ;
          }
        }
        if (differ == null) {
          uncovered.put(
              name, "unique key " + SqlText.quoteIdent(name) + " " + describe(key.getValue()));
        } else {
          differ.forEach(
              (column, d) ->
                  collations.putIfAbsent(column, d + " in unique key " + SqlText.quoteIdent(name)));
        }
      }
      if (collations.isEmpty()) {
        return null;
      }
      List<String> named = new ArrayList<>(collations.values());
      return "has "
          + String.join(", ", named)
          + ", which may take as duplicates rows the backup's holds apart";
    }

    /**
     * Whether rows unique in {@code theirs} are unique in {@code ours}: each of its parts is a
     * column of ours, where ours takes the whole column or a prefix at least as long.
     */
    private static boolean covers(List<KeyPart> theirs, List<KeyPart> ours) {
      for (KeyPart t : theirs) {
        boolean found = false;
        for (KeyPart o : ours) {
          if (o.column() != null
              && o.column().equals(t.column())
              && (o.prefix() == 0 || (t.prefix() > 0 && t.prefix() <= o.prefix()))) {
            found = true;
            break;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }

    /**
     * The columns of {@code key} whose collation on the target may take as equal two values the
     * backup's held apart, each as {@code column `a` of collation X where the backup has Y}; a
     * collation not known on either side is not compared. Another collation is safe where it is
     * {@linkplain #distinguishes at least as fine}.
     */
    private Map<String, String> collationDifferences(
        List<KeyPart> key, Map<String, Column> backup, Pads pads) throws SQLException {
      Map<String, String> differ = new LinkedHashMap<>();
      for (KeyPart p : key) {
        Column ours = typed.get(p.column());
        Column theirs = backup.get(p.column());
        String o = ours == null ? null : collation(ours.collation());
        String t = theirs == null ? null : collation(theirs.collation());
        if (o != null && t != null && !o.equals(t) && !distinguishes(ours, theirs, pads)) {
          differ.put(
              p.column(),
              "column "
                  + SqlText.quoteIdent(names.getOrDefault(p.column(), p.column()))
                  + " of collation "
                  + ours.collation()
                  + " where the backup has "
                  + theirs.collation());
        }
      }
      return differ;
    }

    /**
     * Whether the target's column {@code ours} tells apart every two values the backup's {@code
     * theirs} did: its collation is binary ({@code _bin}, or {@code binary}: it compares code
     * points, so only strings that differ in trailing spaces can be equal in it, and only where it
     * pads them), of the same character set, and either NO PAD or PAD SPACE as the backup's is (a
     * NO PAD collation holds {@code 'a'} and {@code 'a '} apart, a PAD SPACE one takes them for
     * one). The pad attributes are the target server's own ({@link Pads}); one it cannot tell, of a
     * collation it does not know, counts as not safe.
     */
    private static boolean distinguishes(Column ours, Column theirs, Pads pads)
        throws SQLException {
      String o = ours.collation();
      if (!(o.endsWith("_bin") || o.equals("binary"))
          || ours.charset() == null
          || theirs.charset() == null
          || !ColumnTypes.charset(ours.charset()).equals(ColumnTypes.charset(theirs.charset()))) {
        return false;
      }
      Boolean target = pads.padsSpace(o, ours.charset());
      if (Boolean.FALSE.equals(target)) {
        return true;
      }
      return Boolean.TRUE.equals(target)
          && Boolean.TRUE.equals(pads.padsSpace(theirs.collation(), ours.charset()));
    }

    /** utf8_ is MariaDB's (and MySQL's before 8.0.30) name of utf8mb3_. */
    private static String collation(String name) {
      return name == null ? null : name.startsWith("utf8_") ? "utf8mb3_" + name.substring(5) : name;
    }

    private String describe(List<KeyPart> parts) {
      List<String> named = new ArrayList<>();
      for (KeyPart p : parts) {
        named.add(
            p.column() == null
                ? "(an expression)"
                : SqlText.quoteIdent(names.getOrDefault(p.column(), p.column()))
                    + (p.prefix() > 0 ? "(" + p.prefix() + ")" : ""));
      }
      return "(" + String.join(", ", named) + ")";
    }

    /** Every column's name as the table has it. */
    private final Map<String, String> names = new HashMap<>();

    void add(String name, String extra, String generation, Column type) {
      String key = name.toLowerCase(Locale.ROOT);
      typed.put(key, type);
      names.put(key, name);
      String x = extra == null ? "" : extra.toUpperCase(Locale.ROOT);
      if ("ROW START".equals(generation) || "ROW END".equals(generation)) {
        period.put(key, name);
      } else if (x.contains("VIRTUAL GENERATED")
          || x.contains("STORED GENERATED")
          || x.contains("PERSISTENT GENERATED")) {
        generated.put(key, name);
      } else {
        fillable.put(key, name);
      }
    }

    /**
     * The difference from rows that fill {@code filled}, whose columns the backup's definition
     * declares as {@code backup} (empty if unknown), as a phrase; null if none.
     */
    String differenceFrom(List<String> filled, boolean versioned, Map<String, Column> backup) {
      Set<String> rows = new LinkedHashSet<>();
      filled.forEach(f -> rows.add(f.toLowerCase(Locale.ROOT)));
      Set<String> periodColumns = new LinkedHashSet<>(period.keySet());
      if (versioned && periodColumns.isEmpty()) {
        // implicit ROW START / ROW END: not in information_schema, but the rows may fill them
        periodColumns.add("row_start");
        periodColumns.add("row_end");
      }
      List<String> lacks = new ArrayList<>();
      List<String> computes = new ArrayList<>();
      List<String> retypes = new ArrayList<>();
      for (String f : filled) {
        String key = f.toLowerCase(Locale.ROOT);
        if (fillable.containsKey(key) || periodColumns.contains(key)) {
          Column ours = typed.get(key);
          Column theirs = backup.get(key);
          String d = ours == null || theirs == null ? null : ColumnTypes.difference(theirs, ours);
          if (d != null) {
            retypes.add(SqlText.quoteIdent(f) + " of type " + d);
          }
          continue;
        }
        (generated.containsKey(key) ? computes : lacks).add(SqlText.quoteIdent(f));
      }
      List<String> extra = new ArrayList<>();
      fillable.forEach(
          (key, name) -> {
            if (!rows.contains(key)) {
              extra.add(SqlText.quoteIdent(name));
            }
          });
      List<String> parts = new ArrayList<>();
      if (!lacks.isEmpty()) {
        parts.add("lacks " + columns(lacks) + " that the backup's rows fill");
      }
      if (!computes.isEmpty()) {
        parts.add("generates " + columns(computes) + " that the backup's rows fill");
      }
      if (!extra.isEmpty()) {
        parts.add("has " + columns(extra) + " that the backup's rows do not fill");
      }
      if (!retypes.isEmpty()) {
        parts.add("has " + columns(retypes));
      }
      return parts.isEmpty() ? null : String.join(" and ", parts);
    }

    private static String columns(List<String> names) {
      return (names.size() == 1 ? "column " : "columns ") + String.join(", ", names);
    }
  }

  /**
   * The privileges {@link #empty} takes for {@code table}: DROP for TRUNCATE, DELETE and DELETE
   * HISTORY for a system-versioned table, ALTER for a sequence; none for a table not there.
   */
  List<String> emptyingPrivileges(String table) {
    String type = types.get(table);
    if (type == null) {
      return List.of();
    }
    return switch (type) {
      case SEQUENCE -> List.of("ALTER");
      case VERSIONED -> List.of("DELETE", "DELETE HISTORY");
      default -> List.of("DROP");
    };
  }

  /**
   * Empties {@code table} on {@code c}, a connection with the database selected. A table that is
   * not there is left to the statements that load it, which then fail naming it.
   */
  void empty(Connection c, String table) throws SQLException {
    String type = types.get(table);
    if (type == null) {
      return;
    }
    String name = SqlText.quoteIdent(table);
    try (Statement s = c.createStatement()) {
      if (!foreignKeyChecksOff) {
        // as on the connections that load the rows: the tables are refilled one after the other
        s.execute("SET SESSION foreign_key_checks = 0");
        foreignKeyChecksOff = true;
      }
      if (type.equals(SEQUENCE)) {
        s.execute("ALTER SEQUENCE " + name + " RESTART");
      } else if (type.equals(VERSIONED)) {
        s.execute("DELETE FROM " + name);
        s.execute("DELETE HISTORY FROM " + name);
      } else {
        s.execute("TRUNCATE TABLE " + name);
      }
    }
  }
}
