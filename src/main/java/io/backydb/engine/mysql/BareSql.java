package io.backydb.engine.mysql;

/**
 * A statement's text as the server reads its keywords: each quoted string or name, and each
 * comment, blanked (every char a space, so that a position in it is one in the statement), so that
 * a word in a value, an identifier or a comment is not taken for a keyword. A quote ends at the
 * same quote char not doubled nor after a backslash (none in a name); a comment is {@code # ...} or
 * {@code -- ...} to the end of its line, or {@code /* ... *}{@code /}. The text of an executable
 * comment ({@code /*!50100 ...}, {@code /*M! ...}), which the server runs, is kept; only its
 * markers are blanked.
 */
final class BareSql {

  private BareSql() {}

  /** {@code sql} with its quoted text and comments blanked; as long as {@code sql}. */
  static String of(String sql) {
    char[] out = sql.toCharArray();
    int n = out.length;
    boolean executable = false; // inside /*! ... */, whose text the server runs
    int i = 0;
    while (i < n) {
      char c = out[i];
      int end;
      if (c == '\'' || c == '"' || c == '`') {
        end = endOfQuoted(out, i);
      } else if (c == '#' || (c == '-' && startsLineComment(out, i))) {
        end = i;
        while (end < n && out[end] != '\n') {
          end++;
        }
      } else if (c == '/' && i + 1 < n && out[i + 1] == '*') {
        int text = startOfExecutable(out, i);
        if (text >= 0 && !executable) {
          executable = true;
          blank(out, i, text);
          i = text;
          continue;
        }
        int close = sql.indexOf("*/", i + 2);
        end = close < 0 ? n : close + 2;
      } else if (c == '*' && executable && i + 1 < n && out[i + 1] == '/') {
        executable = false;
        end = i + 2;
      } else {
        i++;
        continue;
      }
      blank(out, i, end);
      i = end;
    }
    return new String(out);
  }

  /** The index after the quoted string or name that starts at {@code start}. */
  private static int endOfQuoted(char[] s, int start) {
    char q = s[start];
    int i = start + 1;
    while (i < s.length) {
      char c = s[i++];
      if (c == '\\' && q != '`') {
        i++;
      } else if (c == q) {
        if (i < s.length && s[i] == q) {
          i++;
        } else {
          return i;
        }
      }
    }
    return s.length;
  }

  /** {@code --} followed by a space, a control char or the end: a comment to the end of line. */
  private static boolean startsLineComment(char[] s, int i) {
    return i + 1 < s.length && s[i + 1] == '-' && (i + 2 == s.length || s[i + 2] <= ' ');
  }

  /**
   * Where the text of an executable comment starting at {@code i} begins ({@code /*!}, {@code
   * /*M!}, each with an optional version number), or -1 for a plain comment.
   */
  private static int startOfExecutable(char[] s, int i) {
    int j = i + 2;
    if (j < s.length && s[j] == 'M') {
      j++;
    }
    if (j >= s.length || s[j] != '!') {
      return -1;
    }
    j++;
    while (j < s.length && Character.isDigit(s[j])) {
      j++;
    }
    return j;
  }

  private static void blank(char[] s, int from, int to) {
    for (int k = from; k < to && k < s.length; k++) {
      s[k] = ' ';
    }
  }
}
