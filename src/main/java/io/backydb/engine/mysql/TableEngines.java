package io.backydb.engine.mysql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storage engine a table's or sequence's definition names: the {@code ENGINE [=] x} of its
 * table options, as the server writes them in {@code SHOW CREATE TABLE} (after the parenthesised
 * columns of a {@code CREATE TABLE}; anywhere in a {@code CREATE SEQUENCE}). Quoted text and
 * comments are left out ({@link BareSql}), so a column's or table's {@code COMMENT 'ENGINE=x'}, or
 * a column named {@code `engine`}, is not taken for one; a partition's {@code ENGINE = x} comes
 * after the table's own.
 */
final class TableEngines {

  private static final Pattern ENGINE = Pattern.compile("(?i)\\bENGINE\\b");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

  private TableEngines() {}

  /**
   * The engine {@code sql}, a {@code CREATE TABLE} or {@code CREATE SEQUENCE}, names, as written
   * ({@code ARCHIVE}, {@code InnoDB}); null if it names none (the server's default engine).
   */
  static String of(String sql) {
    String bare = BareSql.of(sql);
    int from = 0;
    if (bare.regionMatches(true, 0, "CREATE TABLE ", 0, "CREATE TABLE ".length())) {
      from = endOfColumns(bare);
      if (from < 0) {
        return null; // CREATE TABLE ... LIKE, or no columns: no options of its own
      }
    }
    Matcher m = ENGINE.matcher(bare);
    if (!m.find(from)) {
      return null;
    }
    int at = skipSpace(sql, bare, m.end());
    if (at < bare.length() && bare.charAt(at) == '=') {
      at = skipSpace(sql, bare, at + 1);
    }
    if (at < sql.length() && isQuote(sql.charAt(at))) {
      // a quoted name, which the server takes too: its text without the quotes
      int end = sql.indexOf(sql.charAt(at), at + 1);
      return end < 0 ? null : valid(sql.substring(at + 1, end));
    }
    Matcher name = NAME.matcher(bare).region(at, bare.length());
    return name.lookingAt() ? name.group() : null;
  }

  /** The index of the first char from {@code at} that is no space nor comment, or a quote. */
  private static int skipSpace(String sql, String bare, int at) {
    while (at < bare.length()
        && Character.isWhitespace(bare.charAt(at))
        && !isQuote(sql.charAt(at))) {
      at++;
    }
    return at;
  }

  private static boolean isQuote(char c) {
    return c == '`' || c == '\'' || c == '"';
  }

  private static String valid(String name) {
    return NAME.matcher(name).matches() ? name : null;
  }

  /** The index after the {@code )} closing the first {@code (} of {@code bare}, or -1. */
  private static int endOfColumns(String bare) {
    int open = bare.indexOf('(');
    if (open < 0) {
      return -1;
    }
    int depth = 0;
    for (int i = open; i < bare.length(); i++) {
      char c = bare.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i + 1;
      }
    }
    return -1;
  }
}
