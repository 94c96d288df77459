package io.backydb.engine.mysql;

import io.backydb.config.DatabaseConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What happens to the {@code DEFINER=...} clause of a {@code CREATE VIEW}, {@code FUNCTION}, {@code
 * PROCEDURE}, {@code TRIGGER} or {@code EVENT} statement ({@code database.definers}): kept as
 * dumped, dropped (the server then makes the user running the restore the definer), or rewritten to
 * {@code database.definer}. Only the clause at the head of the statement is touched, never the
 * body.
 */
final class Definers {

  /**
   * The head of a CREATE statement as SHOW CREATE writes it, up to and including the DEFINER
   * clause: {@code CREATE [OR REPLACE] [ALGORITHM=x] DEFINER=`u`@`h` }, or with a role or
   * CURRENT_USER.
   */
  private static final Pattern HEAD =
      Pattern.compile(
          "^(CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:ALGORITHM\\s*=\\s*\\w+\\s+)?)"
              + "DEFINER\\s*=\\s*((?:`(?:[^`]|``)*`(?:\\s*@\\s*`(?:[^`]|``)*`)?"
              + "|'(?:[^'\\\\]|\\\\.|'')*'(?:\\s*@\\s*'(?:[^'\\\\]|\\\\.|'')*')?"
              // under ANSI_QUOTES, SHOW CREATE quotes the definer with double quotes
              + "|\"(?:[^\"]|\"\")*\"(?:\\s*@\\s*\"(?:[^\"]|\"\")*\")?"
              + "|\\w+(?:@[\\w.%-]+)?|CURRENT_USER(?:\\s*\\(\\s*\\))?))\\s+",
          Pattern.CASE_INSENSITIVE);

  private final String policy;
  private final String replacement;

  private Definers(String policy, String replacement) {
    this.policy = policy;
    this.replacement = replacement;
  }

  static Definers of(DatabaseConfig config) {
    String policy = config.definers() == null ? "keep" : config.definers();
    String replacement = policy.equals("rewrite") ? quote(config.definer()) : null;
    return new Definers(policy, replacement);
  }

  /**
   * The same policy for statements read from a dump as raw bytes (ISO-8859-1 chars, see {@code
   * MySqlApplier}): the new definer is put in as its UTF-8 bytes.
   */
  Definers forRawText() {
    return replacement == null ? this : new Definers(policy, DumpDirectives.encodeRaw(replacement));
  }

  boolean keeps() {
    return policy.equals("keep");
  }

  /** The statement with its DEFINER clause handled as configured. */
  String apply(String createStatement) {
    if (keeps()) {
      return createStatement;
    }
    Matcher m = HEAD.matcher(createStatement);
    if (!m.find()) {
      return createStatement;
    }
    String head = m.group(1);
    String rest = createStatement.substring(m.end());
    if (policy.equals("drop")) {
      return head + rest;
    }
    return head + "DEFINER=" + replacement + " " + rest;
  }

  /**
   * The DEFINER clause at the head of {@code createStatement} as written ({@code `u`@`h`}, a role,
   * {@code CURRENT_USER}), or null if it has none.
   */
  static String definerOf(String createStatement) {
    Matcher m = HEAD.matcher(createStatement);
    return m.find() ? m.group(2) : null;
  }

  /**
   * The definer a statement whose DEFINER clause is {@code dumped} (null: none) gets under this
   * policy, as {@code user@host} unquoted (a role as its name alone), or null where it is the user
   * running the restore (the clause dropped, or none, or {@code CURRENT_USER}).
   */
  String effective(String dumped) {
    String d = policy.equals("rewrite") ? replacement : policy.equals("drop") ? null : dumped;
    if (d == null || d.toUpperCase(java.util.Locale.ROOT).startsWith("CURRENT_USER")) {
      return null;
    }
    String[] parts = parts(d);
    return parts[1] == null ? parts[0] : parts[0] + "@" + parts[1];
  }

  /**
   * {@code user@host} as given in the config (each part bare, or quoted with backticks or single
   * quotes) as {@code `user`@`host`}.
   */
  static String quote(String definer) {
    String[] parts = parts(definer);
    return SqlText.quoteIdent(parts[0])
        + "@"
        + SqlText.quoteIdent(parts[1] == null ? "%" : parts[1]);
  }

  /** {@code user@host}, each part bare or quoted, as the user and the host (null if none). */
  private static String[] parts(String definer) {
    String d = definer.trim();
    int at = -1;
    char q = 0;
    for (int i = 0; i < d.length(); i++) {
      char ch = d.charAt(i);
      if (q != 0) {
        if (ch == q) {
          q = 0;
        }
      } else if (ch == '`' || ch == '\'' || ch == '"') {
        q = ch;
      } else if (ch == '@') {
        at = i;
      }
    }
    String user = at < 0 ? d : d.substring(0, at);
    return new String[] {unquote(user), at < 0 ? null : unquote(d.substring(at + 1))};
  }

  private static String unquote(String s) {
    String t = s.trim();
    if (t.length() >= 2) {
      char f = t.charAt(0);
      if ((f == '`' || f == '\'' || f == '"') && t.charAt(t.length() - 1) == f) {
        String inner = t.substring(1, t.length() - 1);
        return inner.replace(String.valueOf(f) + f, String.valueOf(f));
      }
    }
    return t;
  }
}
