package io.backydb.engine.mysql;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a statement is about, read from its head: the table an {@code INSERT}, {@code REPLACE},
 * {@code LOAD DATA ... INTO TABLE}, {@code UPDATE}, {@code DELETE FROM}, {@code TRUNCATE} or {@code
 * LOCK TABLES} names, or the table, view, procedure, function, trigger, event or sequence a {@code
 * CREATE}, {@code ALTER}, {@code DROP} or {@code RENAME} names, e.g. {@code view `v`}. For the
 * messages of a restore that the statement failed or waits in: the progress line's lock waits
 * ({@link LockWaits}), and a failure in a dump without BackyDB's directives, which tell the feature
 * and table of its own dumps' statements ({@code MySqlApplier}).
 *
 * <p>Keywords are read where the server reads them ({@link BareSql}): in the text of executable
 * comments too, in which mariadb-dump wraps the {@code CREATE} of a trigger, event or view (the
 * word {@code CREATE}, the {@code DEFINER} clause and the rest each in one of its own), never in
 * quoted text or comments. The name is the first one after the keyword, without its database if
 * qualified; backtick-quoted or bare, as mariadb-dump writes a trigger's.
 *
 * @param verb the statement's first keyword, in upper case: {@code CREATE}, {@code INSERT}, ...
 * @param kind {@code table}, {@code view}, {@code procedure}, {@code function}, {@code trigger},
 *     {@code event} or {@code sequence}
 * @param name the object's name as the statement writes it, without quotes
 */
record StatementSubject(String verb, String kind, String name) {

  /** The head read: the name comes within it in any statement a dump tool writes. */
  private static final int HEAD = 2000;

  /**
   * The statement's keywords up to the one its subject's name follows: group 1 the verb, group 2
   * the kind where the statement says it (a definition), else a table.
   */
  private static final Pattern KEYWORDS =
      Pattern.compile(
          "(?is)^\\s*(?:"
              + "(CREATE|ALTER|DROP|RENAME)\\b.{0,1000}?"
              + "\\b(TABLE|VIEW|PROCEDURE|FUNCTION|TRIGGER|EVENT|SEQUENCE)"
              + "|(INSERT|REPLACE)(?:\\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\\b)*"
              + "(?:\\s+INTO)?"
              + "|(LOAD)\\s+(?:DATA|XML)\\b.{0,1000}?\\bINTO\\s+TABLE"
              + "|(UPDATE)(?:\\s+(?:LOW_PRIORITY|IGNORE)\\b)*"
              + "|(DELETE)(?:\\s+(?:LOW_PRIORITY|QUICK|IGNORE)\\b)*\\s+FROM"
              + "|(TRUNCATE)(?:\\s+TABLE)?"
              + "|(LOCK)\\s+TABLES?"
              + ")\\b(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS\\b)?");

  /** What {@code sql} is about; null if it names no such object (a SET, a CREATE DATABASE). */
  static StatementSubject of(String sql) {
    String head = sql.length() > HEAD ? sql.substring(0, HEAD) : sql;
    String bare = BareSql.of(head);
    Matcher m = KEYWORDS.matcher(bare);
    if (!m.lookingAt()) {
      return null;
    }
    String verb = m.group(1);
    for (int g = 3; verb == null; g++) {
      verb = m.group(g); // the one alternative that matched
    }
    String kind = m.group(2) == null ? "table" : m.group(2).toLowerCase(Locale.ROOT);
    String name = null;
    int at = m.end();
    do {
      at = skipSpace(head, bare, at + (name == null ? 0 : 1));
      int end = endOfName(head, at);
      if (end <= at) {
        return null;
      }
      name =
          head.charAt(at) == '`'
              ? head.substring(at + 1, end - 1).replace("``", "`")
              : head.substring(at, end);
      at = skipSpace(head, bare, end);
    } while (at < head.length() && head.charAt(at) == '.'); // db.name: the name follows
    return new StatementSubject(verb.toUpperCase(Locale.ROOT), kind, name);
  }

  /**
   * What {@code sql}, a statement read from a dump as raw bytes (ISO-8859-1 chars, see {@code
   * MySqlApplier}), is about, its name decoded from UTF-8; null as for {@link #of}.
   */
  static StatementSubject ofRaw(String sql) {
    StatementSubject s = of(sql);
    return s == null
        ? null
        : new StatementSubject(s.verb, s.kind, DumpDirectives.decodeRaw(s.name));
  }

  /** The name if the subject is a table, else null. */
  String table() {
    return kind.equals("table") ? name : null;
  }

  /** {@code kind `name`}, e.g. {@code table `users`}. */
  @Override
  public String toString() {
    return kind + " " + SqlText.quoteIdent(name);
  }

  /** The first char from {@code at} that is no space nor comment (a quote is no space). */
  private static int skipSpace(String sql, String bare, int at) {
    while (at < bare.length() && Character.isWhitespace(bare.charAt(at)) && sql.charAt(at) != '`') {
      at++;
    }
    return at;
  }

  /**
   * The end of the name at {@code at}: after its closing backtick, or its last char that may stand
   * in a bare name (letters, digits, {@code $}, {@code _}, and any char beyond ASCII); {@code at}
   * itself if none starts there or its quote does not end within the text.
   */
  private static int endOfName(String sql, int at) {
    int i = at;
    if (i < sql.length() && sql.charAt(i) == '`') {
      i++;
      while (i < sql.length()) {
        if (sql.charAt(i++) == '`') {
          if (i < sql.length() && sql.charAt(i) == '`') {
            i++;
          } else {
            return i;
          }
        }
      }
      return at;
    }
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '$' || c == '_' || c >= 0x80)) {
        break;
      }
      i++;
    }
    return i;
  }
}
