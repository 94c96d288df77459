package io.backydb.engine.mysql;

import io.backydb.engine.DumpContents.Column;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The columns a {@code CREATE TABLE} statement declares, as {@code SHOW CREATE TABLE} writes it
 * (the dump's table definitions): each column's type, character set and nullability, for the check
 * that a table a restore loads rows into without creating it takes them unchanged ({@link
 * ColumnTypes}).
 *
 * <p>The statement is read as tokens (names, strings, parenthesised groups, words), so that a
 * default, comment or CHECK holding {@code NOT NULL} or {@code CHARACTER SET} is not taken for the
 * column's own. A column's character set is the one it names, else the one its collation belongs
 * to, else the table's default: {@code SHOW CREATE TABLE} leaves out what equals the table's.
 */
final class CreateTableColumns {

  /** The types whose values are text in a character set. */
  static final Set<String> TEXT_TYPES =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set");

  private CreateTableColumns() {}

  /**
   * The columns of {@code ddl} by lower-case name; empty for a statement that is not a {@code
   * CREATE TABLE `name` (...)} (a sequence, a dump not BackyDB's).
   */
  static Map<String, Column> of(String ddl) {
    String prefix = "CREATE TABLE ";
    if (!ddl.regionMatches(true, 0, prefix, 0, prefix.length())
        || !ddl.startsWith("`", prefix.length())) {
      return Map.of();
    }
    int afterName = SqlText.endOfQuotedName(ddl, prefix.length());
    if (afterName < 0) {
      return Map.of();
    }
    List<String> tokens = tokens(ddl, afterName);
    if (tokens.isEmpty() || !tokens.get(0).startsWith("(") || !tokens.get(0).endsWith(")")) {
      return Map.of(); // not a definition of columns (CREATE TABLE ... LIKE, or cut short)
    }
    String body = tokens.get(0);
    List<String> options = tokens.subList(1, tokens.size());
    String tableCharset = charsetOf(option(options, "CHARSET"), option(options, "COLLATE"));
    Map<String, Column> columns = new HashMap<>();
    List<String> item = new ArrayList<>();
    for (String t : tokens(body.substring(1, body.length() - 1), 0)) {
      if (t.equals(",")) {
        addColumn(item, tableCharset, columns);
        item.clear();
      } else {
        item.add(t);
      }
    }
    addColumn(item, tableCharset, columns);
    return columns;
  }

  /** One item of the definition: a column ({@code `name` type ...}), or a key, which is skipped. */
  private static void addColumn(List<String> item, String tableCharset, Map<String, Column> into) {
    String quoted = item.isEmpty() ? "" : item.get(0);
    if (item.size() < 2
        || quoted.length() < 2
        || !quoted.startsWith("`")
        || !quoted.endsWith("`")
        || !isWord(item.get(1))) {
      return;
    }
    String name = quoted.substring(1, quoted.length() - 1).replace("``", "`");
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
    String charset = null;
    String collation = null;
    boolean nullable = true;
    for (; i < item.size(); i++) {
      String word = item.get(i).toUpperCase(Locale.ROOT);
      String next = i + 1 < item.size() ? item.get(i + 1) : null;
      if (word.equals("CHARACTER") && "SET".equalsIgnoreCase(next) && i + 2 < item.size()) {
        charset = item.get(i + 2);
      } else if (word.equals("COLLATE") && next != null) {
        collation = next;
      } else if (word.equals("NOT") && "NULL".equalsIgnoreCase(next)) {
        nullable = false;
      }
    }
    String columnCharset = charsetOf(charset, collation);
    into.put(
        name.toLowerCase(Locale.ROOT),
        new Column(
            type.toString(),
            TEXT_TYPES.contains(base)
                ? (columnCharset != null ? columnCharset : tableCharset)
                : null,
            nullable));
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
