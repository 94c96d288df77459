package io.backydb.engine.mysql;

import io.backydb.engine.DumpContents.Column;
import io.backydb.engine.DumpContents.KeyPart;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The columns a {@code CREATE TABLE} statement declares, as {@code SHOW CREATE TABLE} writes it
 * (the dump's table definitions): each column's type, character set, collation and nullability, and
 * the table's PRIMARY and UNIQUE keys, for the check that a table a restore loads rows into without
 * creating it takes them unchanged ({@link ColumnTypes}) and that its unique keys compare them as
 * the backup's did ({@link ExistingTables}).
 *
 * <p>The statement is read as tokens (names, strings, parenthesised groups, words), so that a
 * default, comment or CHECK holding {@code NOT NULL} or {@code CHARACTER SET} is not taken for the
 * column's own. A column's character set is the one it names, else the one its collation belongs
 * to, else the table's default: {@code SHOW CREATE TABLE} leaves out what equals the table's. Its
 * collation is the one it names, else the table's where it names no character set of its own, else
 * unknown (a character set's default collation depends on the server).
 */
final class CreateTableColumns {

  /** The types whose values are text in a character set. */
  static final Set<String> TEXT_TYPES =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set");

  private CreateTableColumns() {}

  /**
   * What a definition declares that a restore loading rows into an existing table compares: its
   * columns by lower-case name, and its PRIMARY and UNIQUE keys, each as its parts in order.
   */
  record Definition(Map<String, Column> columns, List<List<KeyPart>> uniqueKeys) {
    static final Definition NONE = new Definition(Map.of(), List.of());
  }

  /**
   * The columns of {@code ddl} by lower-case name; empty for a statement that is not a {@code
   * CREATE TABLE `name` (...)} (a sequence, a dump not BackyDB's).
   */
  static Map<String, Column> of(String ddl) {
    return definition(ddl).columns();
  }

  /**
   * The columns and unique keys of {@code ddl}; none for a statement that is not a {@code CREATE
   * TABLE `name` (...)} (a sequence, a dump not BackyDB's).
   */
  static Definition definition(String ddl) {
    String prefix = "CREATE TABLE ";
    if (!ddl.regionMatches(true, 0, prefix, 0, prefix.length())
        || !ddl.startsWith("`", prefix.length())) {
      return Definition.NONE;
    }
    int afterName = SqlText.endOfQuotedName(ddl, prefix.length());
    if (afterName < 0) {
      return Definition.NONE;
    }
    List<String> tokens = tokens(ddl, afterName);
    if (tokens.isEmpty() || !tokens.get(0).startsWith("(") || !tokens.get(0).endsWith(")")) {
      return Definition.NONE; // not a definition of columns (CREATE TABLE ... LIKE, or cut short)
    }
    String body = tokens.get(0);
    List<String> options = tokens.subList(1, tokens.size());
    String tableCharset = charsetOf(option(options, "CHARSET"), option(options, "COLLATE"));
    String tableCollation = option(options, "COLLATE");
    if (tableCollation != null
        && !tableCollation.toLowerCase(Locale.ROOT).startsWith(tableCharset + "_")) {
      tableCollation = null; // not of the table's character set: which is the table's is unclear
    }
    Table table =
        new Table(
            tableCharset, tableCollation == null ? null : tableCollation.toLowerCase(Locale.ROOT));
    List<String> item = new ArrayList<>();
    for (String t : tokens(body.substring(1, body.length() - 1), 0)) {
      if (t.equals(",")) {
        table.add(item);
        item.clear();
      } else {
        item.add(t);
      }
    }
    table.add(item);
    return new Definition(table.columns, table.uniqueKeys);
  }

  /** The items of one definition, read one after the other. */
  private static final class Table {
    private final String charset;
    private final String collation;
    private final Map<String, Column> columns = new HashMap<>();
    private final List<List<KeyPart>> uniqueKeys = new ArrayList<>();

    Table(String charset, String collation) {
      this.charset = charset;
      this.collation = collation;
    }

    /** One item: a column ({@code `name` type ...}), a key, a constraint. */
    void add(List<String> item) {
      if (item.isEmpty()) {
        return;
      }
      String first = item.get(0).toUpperCase(Locale.ROOT);
      int i = 0;
      if (first.equals("CONSTRAINT")) {
        // CONSTRAINT [`name`] UNIQUE (...), as MySQL may write it
        i = item.size() > 1 && item.get(1).startsWith("`") ? 2 : 1;
        first = i < item.size() ? item.get(i).toUpperCase(Locale.ROOT) : "";
      }
      if (first.equals("PRIMARY") || first.equals("UNIQUE")) {
        addUniqueKey(item.subList(i, item.size()));
      } else if (i == 0) {
        addColumn(item);
      }
    }

    /**
     * {@code PRIMARY KEY (...)} or {@code UNIQUE KEY `name` (...)}: its parts, {@code `a`} or
     * {@code `a`(10)}; a key with another part (MySQL's functional {@code ((expr))}) is left out,
     * as nothing tells what it holds.
     */
    private void addUniqueKey(List<String> item) {
      String group = null;
      for (String t : item) {
        if (t.startsWith("(")) {
          group = t;
          break;
        }
      }
      if (group == null || !group.endsWith(")")) {
        return;
      }
      List<KeyPart> parts = new ArrayList<>();
      List<String> part = new ArrayList<>();
      for (String t : tokens(group.substring(1, group.length() - 1), 0)) {
        if (t.equals(",")) {
          if (!addKeyPart(part, parts)) {
            return;
          }
          part.clear();
        } else {
          part.add(t);
        }
      }
      if (addKeyPart(part, parts)) {
        uniqueKeys.add(parts);
      }
    }

    /** {@code `a`}, {@code `a`(10)}, maybe followed by ASC or DESC; false for anything else. */
    private static boolean addKeyPart(List<String> part, List<KeyPart> into) {
      if (part.isEmpty() || !isQuotedName(part.get(0))) {
        return false;
      }
      int prefix = 0;
      int i = 1;
      if (i < part.size() && part.get(i).startsWith("(")) {
        String p = part.get(i++);
        try {
          prefix = Integer.parseInt(p.substring(1, p.length() - (p.endsWith(")") ? 1 : 0)).strip());
        } catch (NumberFormatException e) {
          return false;
        }
      }
      for (; i < part.size(); i++) {
        String w = part.get(i).toUpperCase(Locale.ROOT);
        if (!w.equals("ASC") && !w.equals("DESC")) {
          return false;
        }
      }
      into.add(new KeyPart(unquote(part.get(0)).toLowerCase(Locale.ROOT), prefix));
      return true;
    }

    /** A column: {@code `name` type ...}. */
    private void addColumn(List<String> item) {
      if (item.size() < 2 || !isQuotedName(item.get(0)) || !isWord(item.get(1))) {
        return;
      }
      String name = unquote(item.get(0));
      StringBuilder type = new StringBuilder(item.get(1).toLowerCase(Locale.ROOT));
      String base = type.toString();
      int i = 2;
      if (i < item.size() && item.get(i).startsWith("(")) {
        type.append(item.get(i++));
      }
      while (i < item.size()
          && Set.of("unsigned", "signed", "zerofill")
              .contains(item.get(i).toLowerCase(Locale.ROOT))) {
        type.append(' ').append(item.get(i++).toLowerCase(Locale.ROOT));
      }
      String columnCharset = null;
      String columnCollation = null;
      boolean nullable = true;
      for (; i < item.size(); i++) {
        String word = item.get(i).toUpperCase(Locale.ROOT);
        String next = i + 1 < item.size() ? item.get(i + 1) : null;
        if (word.equals("CHARACTER") && "SET".equalsIgnoreCase(next) && i + 2 < item.size()) {
          columnCharset = item.get(i + 2);
        } else if (word.equals("COLLATE") && next != null) {
          columnCollation = next;
        } else if (word.equals("NOT") && "NULL".equalsIgnoreCase(next)) {
          nullable = false;
        }
      }
      boolean text = TEXT_TYPES.contains(base);
      String cs = charsetOf(columnCharset, columnCollation);
      String collation = null;
      if (text && columnCollation != null) {
        collation = columnCollation.toLowerCase(Locale.ROOT);
      } else if (text && cs == null) {
        collation = this.collation; // the table's; unknown if it names none
      }
      // a character set named without a collation has its default one, which the definition
      // does not tell (it depends on the server): unknown
      columns.put(
          name.toLowerCase(Locale.ROOT),
          new Column(
              type.toString(), text ? (cs != null ? cs : charset) : null, collation, nullable));
    }
  }

  private static boolean isQuotedName(String token) {
    return token.length() >= 2 && token.startsWith("`") && token.endsWith("`");
  }

  private static String unquote(String quoted) {
    return quoted.substring(1, quoted.length() - 1).replace("``", "`");
  }

  /**
   * A table option's value: {@code [DEFAULT] CHARSET=x}, {@code CHARACTER SET=x}, {@code COLLATE=x}
   * (the {@code =} is optional); null if not there.
   */
  private static String option(List<String> options, String name) {
    for (int i = 0; i < options.size(); i++) {
      String word = options.get(i).toUpperCase(Locale.ROOT);
      int value = -1;
      if (word.equals(name)) {
        value = i + 1;
      } else if (name.equals("CHARSET")
          && word.equals("CHARACTER")
          && i + 1 < options.size()
          && options.get(i + 1).equalsIgnoreCase("SET")) {
        value = i + 2;
      }
      if (value >= 0) {
        if (value < options.size() && options.get(value).equals("=")) {
          value++;
        }
        return value < options.size() ? options.get(value) : null;
      }
    }
    return null;
  }

  /**
   * The character set named, else the one {@code collation} belongs to (its name up to the first
   * {@code _}: no character set's name has one), else null.
   */
  private static String charsetOf(String charset, String collation) {
    if (charset != null) {
      return charset.toLowerCase(Locale.ROOT);
    }
    if (collation != null) {
      int u = collation.indexOf('_');
      return (u < 0 ? collation : collation.substring(0, u)).toLowerCase(Locale.ROOT);
    }
    return null;
  }

  private static boolean isWord(String token) {
    return !token.isEmpty() && isWordChar(token.charAt(0));
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
  }

  /**
   * The tokens of {@code s} from {@code from}: a quoted name or string (quotes kept), a
   * parenthesised group (whole, quotes inside respected), a word, or one other character; spaces
   * and comments ({@code /*...}) are left out. Stops at an unbalanced {@code )}.
   */
  static List<String> tokens(String s, int from) {
    List<String> out = new ArrayList<>();
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '/' && s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
      } else if (c == '`' || c == '\'' || c == '"') {
        int end = SqlText.closingQuote(s, i);
        out.add(s.substring(i, Math.min(end + 1, s.length())));
        i = end + 1;
      } else if (c == '(') {
        int end = closingParen(s, i);
        out.add(s.substring(i, Math.min(end + 1, s.length())));
        i = end + 1;
      } else if (c == ')') {
        break;
      } else if (isWordChar(c)) {
        int end = i;
        while (end < s.length() && isWordChar(s.charAt(end))) {
          end++;
        }
        out.add(s.substring(i, end));
        i = end;
      } else {
        out.add(String.valueOf(c));
        i++;
      }
    }
    return out;
  }

  /** The index of the {@code )} that closes the one at {@code open}, or the end of {@code s}. */
  private static int closingParen(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '`' || c == '\'' || c == '"') {
        i = SqlText.closingQuote(s, i);
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return s.length();
  }
}
