package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The privileges of the session's account as {@code SHOW GRANTS} lists them: global ones, those on
 * databases (whose names in a grant are LIKE patterns), and those on single tables. Privileges on
 * single columns or routines are left out: none of them lets a backup see a whole database.
 *
 * <p>MariaDB's {@code SHOW GRANTS} also lists the grants of the session's enabled role (and of the
 * roles that role has) and of PUBLIC, so its lines are what the session may do. MySQL 8 lists the
 * account's own grants only; {@link #read} asks it for the active roles' as well ({@code USING}).
 * MySQL's partial revokes ({@code REVOKE ... ON db.* FROM}) take a privilege on that database away
 * again.
 */
final class AccountGrants {

  /** Stands for every privilege of its level: {@code ALL} / {@code ALL PRIVILEGES}. */
  private static final String ALL = "ALL";

  /** ER_OPTION_PREVENTS_STATEMENT: the server runs with an option (here --skip-grant-tables). */
  private static final int OPTION_PREVENTS_STATEMENT = 1290;

  private final Set<String> global = new HashSet<>();

  /** Database pattern as granted (e.g. {@code shop\_%}) → privileges. */
  private final Map<String, Set<String>> databases = new HashMap<>();

  /** Database name → table name → privileges. */
  private final Map<String, Map<String, Set<String>>> tables = new HashMap<>();

  /** Database name → privileges revoked from it (MySQL's partial revokes). */
  private final Map<String, Set<String>> revoked = new HashMap<>();

  /** Whether database and table names compare without regard to case (lower_case_table_names). */
  private final boolean ignoreCase;

  private AccountGrants(boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
  }

  /**
   * The grants of {@code c}'s account. On MySQL, {@code activeRoles} is what CURRENT_ROLE() gave
   * ({@code NONE}, or the roles quoted and separated by commas): their privileges are added.
   */
  static AccountGrants read(Connection c, boolean mariaDb, String activeRoles, boolean ignoreCase)
      throws SQLException {
    String sql =
        mariaDb || activeRoles == null || activeRoles.equals("NONE")
            ? "SHOW GRANTS"
            // the server wrote the list, each role quoted; it is handed back as it came
            : "SHOW GRANTS FOR CURRENT_USER() USING " + activeRoles;
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        lines.add(rs.getString(1));
      }
    } catch (SQLException e) {
      if (e.getErrorCode() != OPTION_PREVENTS_STATEMENT) {
        throw e;
      }
      // --skip-grant-tables (a server in recovery, an embedded one): no privilege is checked, so
      // the account may read everything, and the server cannot list grants
      lines = List.of("GRANT ALL PRIVILEGES ON *.* TO CURRENT_USER");
    }
    return parse(lines, ignoreCase);
  }

  /** The grants that {@code lines} (SHOW GRANTS's rows) give. */
  static AccountGrants parse(List<String> lines, boolean ignoreCase) {
    AccountGrants g = new AccountGrants(ignoreCase);
    for (String line : lines) {
      g.add(line.strip());
    }
    return g;
  }

  /** Whether the account has {@code privilege} on every database. */
  boolean global(String privilege) {
    return has(global, privilege);
  }

  /** Whether the account has {@code privilege} on the whole of {@code database}. */
  boolean onDatabase(String privilege, String database) {
    if (has(revoked.getOrDefault(key(database), Set.of()), privilege)) {
      return false;
    }
    if (global(privilege)) {
      return true;
    }
    for (Map.Entry<String, Set<String>> e : databases.entrySet()) {
      if (has(e.getValue(), privilege) && matches(e.getKey(), database)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the account has {@code privilege} on {@code database.table}, at whatever level. */
  boolean onTable(String privilege, String database, String table) {
    if (onDatabase(privilege, database)) {
      return true;
    }
    Set<String> privileges =
        tables.getOrDefault(key(database), Map.of()).getOrDefault(key(table), Set.of());
    return has(privileges, privilege);
  }

  private static boolean has(Set<String> privileges, String privilege) {
    return privileges.contains(ALL) || privileges.contains(privilege);
  }

  private String key(String name) {
    return ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
  }

  // ------------------------------------------------------------- parsing

  /**
   * One line: {@code GRANT privs ON [TABLE] db.tbl TO ...} or {@code REVOKE privs ON db.* FROM
   * ...}. Lines of another form (role grants, PROXY, SET DEFAULT ROLE, routine grants) are skipped:
   * a line not understood can only make a privilege look missing, never present.
   */
  private void add(String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    boolean grant = upper.startsWith("GRANT ");
    if (!grant && !upper.startsWith("REVOKE ")) {
      return;
    }
    int start = grant ? 6 : 7;
    int on = topLevel(line, " ON ", start);
    if (on < 0) {
      return; // GRANT `role` TO user
    }
    Set<String> privileges = privileges(line.substring(start, on));
    String object = line.substring(on + 4).stripLeading();
    String objectUpper = object.toUpperCase(Locale.ROOT);
    if (objectUpper.startsWith("TABLE ")) {
      object = object.substring(6).stripLeading();
    } else if (objectUpper.startsWith("FUNCTION ")
        || objectUpper.startsWith("PROCEDURE ")
        || objectUpper.startsWith("PACKAGE ")) {
      return;
    }
    int[] at = {0};
    String db = name(object, at);
    if (db == null || at[0] >= object.length() || object.charAt(at[0]) != '.') {
      return; // PROXY ON ''@'' and the like
    }
    at[0]++;
    String table = name(object, at);
    if (table == null) {
      return;
    }
    if (!grant) {
      if (!db.equals("*") && table.equals("*")) {
        revoked.computeIfAbsent(key(db), k -> new HashSet<>()).addAll(privileges);
      }
      return;
    }
    if (db.equals("*")) {
      global.addAll(privileges);
    } else if (table.equals("*")) {
      databases.computeIfAbsent(key(db), k -> new HashSet<>()).addAll(privileges);
    } else {
      tables
          .computeIfAbsent(key(db), k -> new HashMap<>())
          .computeIfAbsent(key(table), k -> new HashSet<>())
          .addAll(privileges);
    }
  }

  /** {@code SELECT, SHOW VIEW, INSERT (`a`, `b`)} → SELECT and SHOW VIEW (columns left out). */
  private static Set<String> privileges(String list) {
    Set<String> out = new HashSet<>();
    int from = 0;
    while (from <= list.length()) {
      int comma = topLevel(list, ",", from);
      String p = list.substring(from, comma < 0 ? list.length() : comma).strip();
      if (!p.isEmpty() && p.indexOf('(') < 0) {
        p = p.replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        out.add(p.equals("ALL PRIVILEGES") ? ALL : p);
      }
      if (comma < 0) {
        break;
      }
      from = comma + 1;
    }
    return out;
  }

  /**
   * The first {@code token} (matched without regard to case) at or after {@code from} that is
   * outside quotes and parentheses, or -1.
   */
  private static int topLevel(String s, String token, int from) {
    int depth = 0;
    for (int i = from; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '`' || ch == '\'' || ch == '"') {
        i = SqlText.closingQuote(s, i);
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (depth == 0 && s.regionMatches(true, i, token, 0, token.length())) {
        return i;
      }
    }
    return -1;
  }

  /** A name at {@code at[0]}: {@code *}, quoted (backticks, or double quotes under ANSI_QUOTES). */
  private static String name(String s, int[] at) {
    int i = at[0];
    if (i >= s.length()) {
      return null;
    }
    char ch = s.charAt(i);
    if (ch == '*') {
      at[0] = i + 1;
      return "*";
    }
    if (ch == '`' || ch == '"') {
      int end = SqlText.closingQuote(s, i);
      if (end >= s.length()) {
        return null;
      }
      at[0] = end + 1;
      String q = String.valueOf(ch);
      return s.substring(i + 1, end).replace(q + q, q);
    }
    int end = i;
    while (end < s.length()
        && (Character.isLetterOrDigit(s.charAt(end)) || "_$".indexOf(s.charAt(end)) >= 0)) {
      end++;
    }
    if (end == i) {
      return null;
    }
    at[0] = end;
    return s.substring(i, end);
  }

  /**
   * Whether a database grant's name, a LIKE pattern ({@code %}, {@code _}, {@code \} escapes),
   * covers {@code database}. (With MySQL's partial_revokes on, wildcards in grants are literal; the
   * patterns that differ then are not names anyone gives a database.)
   */
  private boolean matches(String pattern, String database) {
    return like(pattern, 0, key(database), 0);
  }

  private static boolean like(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '%') {
        for (int k = si; k <= s.length(); k++) {
          if (like(p, pi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      if (c == '\\' && pi + 1 < p.length()) {
        pi++;
        if (p.charAt(pi) != s.charAt(si)) {
          return false;
        }
      } else if (c != '_' && c != s.charAt(si)) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }
}
