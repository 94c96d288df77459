package io.backydb;

/**
 * Text made safe to print as (part of) one line: names from the database — a table, a trigger, a
 * database — may hold any character, a line break or a terminal's escape sequence too, and an
 * error, a warning, a summary or a log line that names them must stay one line (scripts and log
 * readers take it as one) and must not drive the terminal it is shown on.
 */
public final class OneLine {

  private OneLine() {}

  /**
   * {@code text} with every control character (C0, DEL, C1) and Unicode line or paragraph separator
   * written as an escape: {@code \n}, {@code \r}, {@code \t}, otherwise {@code \}{@code uXXXX}. A
   * backslash is left as it is: the escapes are for reading, not for parsing back. Null stays null.
   */
  public static String of(String text) {
    if (text == null || isPlain(text)) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (needsEscape(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static boolean isPlain(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (needsEscape(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean needsEscape(char c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
  }
}
