package io.backydb.engine.mysql;

import io.backydb.engine.DumpContents.ObjectName;
import java.util.ArrayList;
import java.util.List;
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
 * expression, say) only makes the view depend on an object of that name, if there is one. The
 * objects of other databases a view reads come from {@link #otherDatabases}.
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
   * A view's definition in a dump.
   *
   * @param view the view's name, as quoted in the statement ({@code ``} for a backtick undone)
   * @param query the text of its query, after {@code AS}
   */
  record Definition(String view, String query) {}

  /**
   * The view a dump's {@code CREATE ... VIEW `v` [(columns)] AS ...} statement creates and its
   * query; null for another statement.
   */
  static Definition definitionOf(String createStatement) {
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
          return afterName(s, j);
        }
        i = j;
      } else {
        i++;
      }
    }
    return null;
  }

  /** The view named at {@code i} and the query after its {@code [(columns)] AS}. */
  private static Definition afterName(String s, int i) {
    i = skipSpace(s, i);
    if (i >= s.length() || s.charAt(i) != '`') {
      return null;
    }
    int closed = SqlText.endOfQuotedName(s, i);
    if (closed < 0) {
      return null;
    }
    String view = s.substring(i + 1, closed - 1).replace("``", "`");
    i = skipSpace(s, closed);
    if (i < s.length() && s.charAt(i) == '(') {
      // a column list: quoted names and commas
      while (i < s.length() && s.charAt(i) != ')') {
        int end = s.charAt(i) == '`' ? SqlText.endOfQuotedName(s, i) : i + 1;
        i = end < 0 ? s.length() : end;
      }
      i = skipSpace(s, i + 1);
    }
    int j = endOfWord(s, i);
    return s.substring(Math.min(i, j), j).equalsIgnoreCase("AS")
        ? new Definition(view, s.substring(j))
        : null;
  }

  /**
   * The objects of other databases that {@code query}, a view's query as SHOW CREATE VIEW writes
   * it, reads, in order. The server's text is canonical: every object a query reads stands in a
   * FROM or JOIN position ({@code from `shop`.`t` `x`}, {@code join `shop`.`u`}, {@code from
   * (`shop`.`t` join ...)}), an object of another database as {@code `db`.`name`}; a column is
   * {@code `alias`.`col`} or {@code `db`.`t`.`col`} in the select list and the expressions, never
   * right after FROM or JOIN. A two-part name there, not followed by {@code (} (a function of that
   * database), is such an object.
   */
  static Set<ObjectName> otherDatabases(String query) {
    Set<ObjectName> names = new TreeSet<>();
    int n = query.length();
    int i = 0;
    // whether the last token was FROM or JOIN, or a ( right after one
    boolean tablePosition = false;
    while (i < n) {
      char ch = query.charAt(i);
      if (ch == '\'' || ch == '"') {
        i = endOfString(query, i);
        tablePosition = false;
      } else if (ch == '`') {
        List<String> parts = new ArrayList<>();
        int end = i;
        while (true) {
          int closed = SqlText.endOfQuotedName(query, end);
          if (closed < 0) {
            return names; // cut off: nothing more to read
          }
          parts.add(query.substring(end + 1, closed - 1).replace("``", "`"));
          int next = skipSpace(query, closed);
          int after = next + 1 < n && query.charAt(next) == '.' ? skipSpace(query, next + 1) : n;
          if (after >= n || query.charAt(after) != '`') {
            end = closed;
            break;
          }
          end = after;
        }
        if (tablePosition && parts.size() == 2 && nextChar(query, end) != '(') {
          names.add(new ObjectName(parts.get(0), parts.get(1)));
        }
        i = end;
        tablePosition = false;
      } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '$') {
        int j = endOfWord(query, i);
        String word = query.substring(i, j);
        tablePosition = word.equalsIgnoreCase("FROM") || word.equalsIgnoreCase("JOIN");
        i = j;
      } else {
        if (ch != '(' && !Character.isWhitespace(ch)) {
          tablePosition = false;
        }
        i++;
      }
    }
    return names;
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

  /** The names the query {@code body} (a {@link Definition#query}) reads objects by, in order. */
  static Set<String> read(String body) {
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
