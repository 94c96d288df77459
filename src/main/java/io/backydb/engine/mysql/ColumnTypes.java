package io.backydb.engine.mysql;

import io.backydb.engine.DumpContents.Column;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a column of the target takes the values of the backup's column unchanged: the check of a
 * restore that loads rows into tables it does not create. The restore's session is permissive (the
 * dump's sql_mode has no STRICT_*), so a value that does not fit a column is converted, cut or
 * replaced with a warning rather than refused: the types must match before anything is applied.
 *
 * <p>Deliberately simple: the same type (display widths of integers and {@code ZEROFILL} aside,
 * which change how a number is shown, not what it is), or one of a short list of widenings that
 * hold every value of the narrower type as it is:
 *
 * <ul>
 *   <li>a larger integer type of the same signedness, or a larger signed one for an unsigned one;
 *   <li>a DECIMAL with at least as many digits before and after the point (unsigned only for an
 *       unsigned one);
 *   <li>a longer CHAR, VARCHAR or VARBINARY; a larger TEXT or BLOB type;
 *   <li>DATETIME, TIMESTAMP or TIME with at least as many fractional digits;
 *   <li>an ENUM or SET with every member of the backup's (and maybe more);
 *   <li>for text, the same character set or utf8mb4, which has a form for every character of any;
 *   <li>NULL allowed where the backup's column allows it (else a NULL becomes 0 or '').
 * </ul>
 *
 * Anything else (INT for VARCHAR, DATETIME for TIMESTAMP, FLOAT for DOUBLE, another character set)
 * is refused. The default, comment, collation and the like are not compared: they change no value
 * (the collation of a unique key's column changes which rows are duplicates: {@link
 * ExistingTables#columnDifferences}).
 */
final class ColumnTypes {

  private static final List<String> INTEGERS =
      List.of("tinyint", "smallint", "mediumint", "int", "bigint");
  private static final List<String> TEXTS = List.of("tinytext", "text", "mediumtext", "longtext");
  private static final List<String> BLOBS = List.of("tinyblob", "blob", "mediumblob", "longblob");
  private static final Set<String> LENGTHS = Set.of("char", "varchar", "varbinary");
  private static final Set<String> FRACTIONS = Set.of("datetime", "timestamp", "time");
  private static final Set<String> MEMBERS = Set.of("enum", "set");

  private ColumnTypes() {}

  /**
   * How {@code target} differs from {@code backup} in a way that would change the backup's values,
   * as {@code TYPE where the backup has TYPE} (with the character set or NULL where they are what
   * differs); null if it takes them unchanged.
   */
  static String difference(Column backup, Column target) {
    boolean typeTakes = takes(Type.of(backup.type()), Type.of(target.type()));
    boolean charsetTakes =
        backup.charset() == null
            || target.charset() == null
            || charset(backup.charset()).equals(charset(target.charset()))
            || charset(target.charset()).equals("utf8mb4");
    boolean nullTakes = !backup.nullable() || target.nullable();
    if (typeTakes && charsetTakes && nullTakes) {
      return null;
    }
    return describe(target, !charsetTakes, !nullTakes)
        + " where the backup has "
        + describe(backup, !charsetTakes, !nullTakes);
  }

  private static String describe(Column c, boolean charset, boolean nullable) {
    return c.type()
        + (charset ? " CHARACTER SET " + c.charset() : "")
        + (nullable ? (c.nullable() ? " NULL" : " NOT NULL") : "");
  }

  /** utf8 is MariaDB's (and MySQL's before 8.0.30) name of utf8mb3. */
  static String charset(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("utf8") ? "utf8mb3" : n;
  }

  private static boolean takes(Type b, Type t) {
    if (b.equals(t)) {
      return true;
    }
    int bi = INTEGERS.indexOf(b.base);
    int ti = INTEGERS.indexOf(t.base);
    if (bi >= 0 && ti >= 0) {
      return b.unsigned == t.unsigned ? ti >= bi : b.unsigned && ti > bi;
    }
    if (b.base.equals("decimal") && t.base.equals("decimal")) {
      int[] bd = precision(b.args);
      int[] td = precision(t.args);
      return td[1] >= bd[1] && td[0] - td[1] >= bd[0] - bd[1] && (b.unsigned || !t.unsigned);
    }
    if (!b.base.equals(t.base)) {
      return rankedWider(TEXTS, b, t) || rankedWider(BLOBS, b, t);
    }
    if (LENGTHS.contains(b.base) || FRACTIONS.contains(b.base)) {
      return number(t.args) >= number(b.args);
    }
    if (MEMBERS.contains(b.base)) {
      return members(t.args).containsAll(members(b.args));
    }
    return false;
  }

  private static boolean rankedWider(List<String> ranks, Type b, Type t) {
    int bi = ranks.indexOf(b.base);
    int ti = ranks.indexOf(t.base);
    return bi >= 0 && ti >= bi;
  }

  /** {@code 10,2} → {10, 2}; DECIMAL alone is DECIMAL(10,0). */
  private static int[] precision(String args) {
    if (args == null) {
      return new int[] {10, 0};
    }
    int comma = args.indexOf(',');
    return comma < 0
        ? new int[] {number(args), 0}
        : new int[] {number(args.substring(0, comma)), number(args.substring(comma + 1))};
  }

  /** A length or a number of fractional digits: none is 0; one not understood is -1. */
  private static int number(String args) {
    if (args == null) {
      return 0;
    }
    try {
      return Integer.parseInt(args.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The members of an ENUM or SET, each as its quoted literal. */
  private static Set<String> members(String args) {
    Set<String> members = new HashSet<>();
    if (args != null) {
      for (String t : CreateTableColumns.tokens(args, 0)) {
        if (t.startsWith("'")) {
          members.add(t);
        }
      }
    }
    return members;
  }

  /**
   * A type as the server writes it, made comparable: the base name in lower case, what its
   * parentheses hold (none for an integer or YEAR, whose number is only a display width), and
   * whether it is unsigned. Comments ({@code /*M!100301 COMPRESSED*}{@code /}) and ZEROFILL are
   * left out: they change how a value is stored or shown, not what it is.
   */
  private record Type(String base, String args, boolean unsigned) {
    static Type of(String type) {
      List<String> tokens = CreateTableColumns.tokens(type, 0);
      if (tokens.isEmpty()) {
        return new Type("", null, false);
      }
      String base = tokens.get(0).toLowerCase(Locale.ROOT);
      if (base.equals("bool") || base.equals("boolean")) {
        base = "tinyint";
      }
      int i = 1;
      String args = null;
      if (i < tokens.size() && tokens.get(i).startsWith("(")) {
        String group = tokens.get(i++);
        args = group.substring(1, group.length() - (group.endsWith(")") ? 1 : 0));
      }
      if (INTEGERS.contains(base) || base.equals("year")) {
        args = null;
      }
      boolean unsigned = false;
      for (; i < tokens.size(); i++) {
        unsigned |= tokens.get(i).equalsIgnoreCase("unsigned");
      }
      return new Type(base, args, unsigned);
    }
  }
}
