package io.backydb.engine.mysql;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a view's definition reads objects by: the tables, views and sequences of its own
 * database. MariaDB has no {@code VIEW_TABLE_USAGE}; SHOW CREATE VIEW, though, writes a view's
 * query in one canonical form, every identifier quoted, columns qualified ({@code `a`.`id`}),
 * objects of other databases qualified ({@code `shop`.`t`}) and of its own database not (the dump
 * removes a qualifier the server writes, {@link MySqlObjectDumper#unqualify}). An object read is a
 * quoted name standing alone; the other quoted names are not objects and are skipped:
 *
 * <ul>
 *   <li>after or before a {@code .}: a column, its table's alias, or an object of another database;
 *   <li>before {@code (}: a stored function;
 *   <li>after {@code AS}: a column alias; after another quoted name or a {@code )}: a table alias
 *       ({@code from `a` `x`}, {@code (select ...) `d`});
 *   <li>inside string literals.
 * </ul>
 *
 * A name that is still taken for an object without being one (the name of a common table
 * expression, say) only makes the view depend on an object of that name, if there is one.
 */
final class ViewReferences {

  private ViewReferences() {}

  /**
   * The names {@code ddl}, SHOW CREATE VIEW's text of view {@code view}, reads objects by, in name
   * order.
   */
  static Set<String> of(String view, String ddl) {
    String head = "VIEW " + SqlText.quoteIdent(view) + " AS ";
    int start = ddl.indexOf(head);
    return read(start < 0 ? ddl : ddl.substring(start + head.length()));
  }

  /**
   * The names a dump's {@code CREATE ... VIEW `v` AS ...} statement (SHOW CREATE VIEW's text) reads
   * objects by, in name order; none for another statement.
   */
  static Set<String> ofCreate(String createStatement) {
    String s = createStatement;
    int n = s.length();
    int i = 0;
    while (i < n) {
      char ch = s.charAt(i);
      if (ch == '`') {
        int closed = SqlText.endOfQuotedName(s, i);
        i = closed < 0 ? n : closed;
      } else if (ch == '\'' || ch == '"') {
        i = endOfString(s, i);
      } else if (Character.isLetter(ch)) {
        int j = endOfWord(s, i);
        if (s.substring(i, j).equalsIgnoreCase("VIEW")) {
          return readAfterName(s, j);
        }
        i = j;
      } else {
        i++;
      }
    }
    return Set.of();
  }

  /** The names read by the query after {@code `name` [(columns)] AS} at {@code i}. */
  private static Set<String> readAfterName(String s, int i) {
    i = skipSpace(s, i);
    if (i >= s.length() || s.charAt(i) != '`') {
      return Set.of();
    }
    int closed = SqlText.endOfQuotedName(s, i);
    i = skipSpace(s, closed < 0 ? s.length() : closed);
    if (i < s.length() && s.charAt(i) == '(') {
      // a column list: quoted names and commas
      while (i < s.length() && s.charAt(i) != ')') {
        int end = s.charAt(i) == '`' ? SqlText.endOfQuotedName(s, i) : i + 1;
        i = end < 0 ? s.length() : end;
      }
      i = skipSpace(s, i + 1);
    }
    int j = endOfWord(s, i);
    return s.substring(Math.min(i, j), j).equalsIgnoreCase("AS") ? read(s.substring(j)) : Set.of();
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int endOfWord(String s, int i) {
    while (i < s.length()
        && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '$')) {
      i++;
    }
    return i;
  }

  /** The names the query {@code body} reads objects by. */
  private static Set<String> read(String body) {
    Set<String> names = new TreeSet<>();
    int n = body.length();
    int i = 0;
    // the last token before the current one: '.', '(', ')', '`' (a quoted name), 'A' (the word AS),
    // 'w' (another word) or ' ' (none, or an operator)
    char previous = ' ';
    while (i < n) {
      char ch = body.charAt(i);
      if (ch == '\'' || ch == '"') {
        i = endOfString(body, i);
        previous = 'w';
      } else if (ch == '`') {
        int closed = SqlText.endOfQuotedName(body, i);
        int end = closed < 0 ? n : closed;
        String name = end - 1 > i ? body.substring(i + 1, end - 1).replace("``", "`") : "";
        char next = nextChar(body, end);
        if (previous != '.'
            && previous != '`'
            && previous != ')'
            && previous != 'A'
            && next != '.'
            && next != '(') {
          names.add(name);
        }
        i = end;
        previous = '`';
      } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '$') {
        int j = endOfWord(body, i);
        previous = body.substring(i, j).toUpperCase(Locale.ROOT).equals("AS") ? 'A' : 'w';
        i = j;
      } else {
        if (!Character.isWhitespace(ch)) {
          previous = ch == '.' || ch == '(' || ch == ')' ? ch : ' ';
        }
        i++;
      }
    }
    return names;
  }

  /** The index just past the string literal opening at {@code i}. */
  private static int endOfString(String s, int i) {
    char quote = s.charAt(i);
    int j = i + 1;
    while (j < s.length()) {
      char d = s.charAt(j);
      if (d == '\\') {
        j += 2;
      } else if (d == quote && j + 1 < s.length() && s.charAt(j + 1) == quote) {
        j += 2;
      } else if (d == quote) {
        return j + 1;
      } else {
        j++;
      }
    }
    return s.length();
  }

  /** The first character at or after {@code i} that is not white space, or a space at the end. */
  private static char nextChar(String s, int i) {
    i = skipSpace(s, i);
    return i < s.length() ? s.charAt(i) : ' ';
  }
}
