package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Dumps the programmable objects of a database: views, functions, procedures, triggers and events.
 *
 * <p>Each object is written the way {@code mysqldump} writes it, so that the {@code mariadb} client
 * can replay the file: a {@code DROP ... IF EXISTS}, the object's own sql_mode,
 * character_set_client and collation_connection (and time_zone for events), the {@code CREATE} in a
 * {@code DELIMITER} block, then the dump's session settings again. Because a client (and our
 * splitter) drops the comments inside a routine body, the exact {@code CREATE} text is also carried
 * JSON-encoded in a {@code -- backy:exact} directive just before it; BackyDB's restore runs that
 * text instead of the client form, so bodies come back byte for byte.
 */
final class MySqlObjectDumper {

  /** The dump header's sql_mode, set again after each object. */
  static final String DUMP_SQL_MODE = "NO_AUTO_VALUE_ON_ZERO";

  private final Connection c;
  private final String database;
  private final Definers definers;

  MySqlObjectDumper(Connection c, String database, Definers definers) {
    this.c = c;
    this.database = database;
    this.definers = definers;
  }

  // ---------------------------------------------------------------- views

  /** A view as SHOW CREATE VIEW gives it. */
  record View(String name, String ddl, String charset, String collation) {}

  /** The server's code for a view that references a table, column or function that is gone. */
  private static final int ER_VIEW_INVALID = 1356;

  /**
   * Every view's definition, in the order they must be created. Read before anything is written: a
   * view the server reports invalid is refused here, since its CREATE VIEW would fail on restore
   * after the tables and before the data, leaving that restore without its rows.
   */
  List<View> readViews() throws SQLException {
    Map<String, View> views = new TreeMap<>();
    for (String name :
        names(
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"
                + " ORDER BY TABLE_NAME")) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE VIEW " + qualified(name))) {
        rs.next();
        // the server answers SHOW CREATE VIEW of an invalid view with a warning, not an error; the
        // driver asks for the warnings only when there are some, so valid views cost nothing more
        refuseInvalid(name, s.getWarnings());
        views.put(
            name,
            new View(name, unqualify(rs.getString(2), database), rs.getString(3), rs.getString(4)));
      }
    }
    return dependencyOrder(views);
  }

  private void refuseInvalid(String view, SQLWarning warnings) {
    for (SQLWarning w = warnings; w != null; w = w.getNextWarning()) {
      if (w.getErrorCode() == ER_VIEW_INVALID) {
        throw new BackyException(
            ErrorCode.DATABASE,
            "view "
                + SqlText.quoteIdent(view)
                + " of database '"
                + database
                + "' could not be restored: "
                + w.getMessage()
                + "; fix or drop the view, or switch the views feature off");
      }
    }
  }

  void writeViews(OutputStream out, List<View> views) throws SQLException, IOException {
    for (View v : views) {
      write(out, "DROP VIEW IF EXISTS " + SqlText.quoteIdent(v.name()) + ";\n");
      writeCreate(out, definers.apply(v.ddl()), null, null, v.charset(), v.collation(), false);
    }
  }

  /**
   * The text with every {@code `database`.} qualifier before an identifier removed, outside string
   * literals. SHOW CREATE VIEW leaves references to the view's own database unqualified, except
   * where it cannot check the view (its definer does not exist, say): then it writes {@code
   * `db`.`t`.`col`}, which would tie the restored view to the source database.
   */
  static String unqualify(String ddl, String database) {
    String prefix = SqlText.quoteIdent(database) + ".";
    StringBuilder out = new StringBuilder(ddl.length());
    int i = 0;
    int n = ddl.length();
    while (i < n) {
      char ch = ddl.charAt(i);
      if (ch == '\'' || ch == '"') {
        int j = i + 1;
        while (j < n) {
          char d = ddl.charAt(j);
          if (d == '\\') {
            j += 2;
          } else if (d == ch && j + 1 < n && ddl.charAt(j + 1) == ch) {
            j += 2;
          } else if (d == ch) {
            j++;
            break;
          } else {
            j++;
          }
        }
        out.append(ddl, i, Math.min(j, n));
        i = j;
      } else if (ch == '`') {
        if (ddl.startsWith(prefix, i)) {
          i += prefix.length();
          continue;
        }
        int j = i + 1;
        while (j < n) {
          if (ddl.charAt(j) == '`') {
            if (j + 1 < n && ddl.charAt(j + 1) == '`') {
              j += 2;
              continue;
            }
            j++;
            break;
          }
          j++;
        }
        out.append(ddl, i, Math.min(j, n));
        i = j;
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }

  /**
   * Views in an order in which each is created after the views it reads from (MariaDB has no
   * VIEW_TABLE_USAGE, so a view depends on every other view whose quoted name appears in its
   * definition: the server writes every reference as {@code `name`}). A spurious match only adds an
   * edge; should edges form a cycle, the rest is written in name order.
   */
  private static List<View> dependencyOrder(Map<String, View> views) {
    Map<String, TreeSet<String>> deps = new LinkedHashMap<>();
    for (View v : views.values()) {
      String ddl = v.ddl();
      int as = ddl.indexOf(SqlText.quoteIdent(v.name()));
      String body = as < 0 ? ddl : ddl.substring(as + SqlText.quoteIdent(v.name()).length());
      TreeSet<String> d = new TreeSet<>();
      for (String other : views.keySet()) {
        if (!other.equals(v.name()) && body.contains(SqlText.quoteIdent(other))) {
          d.add(other);
        }
      }
      deps.put(v.name(), d);
    }
    List<View> ordered = new ArrayList<>();
    TreeSet<String> done = new TreeSet<>();
    boolean progress = true;
    while (ordered.size() < views.size() && progress) {
      progress = false;
      for (View v : views.values()) {
        if (!done.contains(v.name()) && done.containsAll(deps.get(v.name()))) {
          ordered.add(v);
          done.add(v.name());
          progress = true;
        }
      }
    }
    for (View v : views.values()) {
      if (!done.contains(v.name())) {
        ordered.add(v);
      }
    }
    return ordered;
  }

  // ------------------------------------------------------------- routines

  void routines(OutputStream out, String type) throws SQLException, IOException {
    for (String name :
        names(
            "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
                + " AND ROUTINE_TYPE = '"
                + type
                + "' ORDER BY ROUTINE_NAME")) {
      String mode;
      String ddl;
      String cs;
      String coll;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE " + type + " " + qualified(name))) {
        rs.next();
        mode = rs.getString(2);
        ddl = rs.getString(3);
        cs = rs.getString(4);
        coll = rs.getString(5);
      }
      if (ddl == null) {
        throw new io.backydb.BackyException(
            io.backydb.ErrorCode.DATABASE,
            "cannot read the definition of "
                + type.toLowerCase(Locale.ROOT)
                + " "
                + SqlText.quoteIdent(name)
                + ": the backup user needs SELECT on mysql.proc (MariaDB) or SHOW_ROUTINE");
      }
      write(out, "DROP " + type + " IF EXISTS " + SqlText.quoteIdent(name) + ";\n");
      writeCreate(out, definers.apply(ddl), mode, null, cs, coll, true);
    }
  }

  // ------------------------------------------------------------- triggers

  /** The triggers of the given tables, each group after a {@code -- backy:table} directive. */
  void triggers(OutputStream out, List<String> tables) throws SQLException, IOException {
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    // SHOW TRIGGERS lists them in the server's own order, which is their action order
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW TRIGGERS FROM " + SqlText.quoteIdent(database))) {
      while (rs.next()) {
        byTable.computeIfAbsent(rs.getString("Table"), k -> new ArrayList<>()).add(rs.getString(1));
      }
    }
    for (String table : tables) {
      List<String> triggers = byTable.get(table);
      if (triggers == null) {
        continue;
      }
      write(out, DumpDirectives.line(DumpDirectives.TABLE, DumpDirectives.json(table)));
      for (String name : triggers) {
        String mode;
        String ddl;
        String cs;
        String coll;
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SHOW CREATE TRIGGER " + qualified(name))) {
          rs.next();
          mode = rs.getString(2);
          ddl = rs.getString(3);
          cs = rs.getString(4);
          coll = rs.getString(5);
        }
        write(out, "DROP TRIGGER IF EXISTS " + SqlText.quoteIdent(name) + ";\n");
        writeCreate(out, definers.apply(ddl), mode, null, cs, coll, true);
      }
    }
  }

  // --------------------------------------------------------------- events

  void events(OutputStream out) throws SQLException, IOException {
    for (String name :
        names(
            "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?"
                + " ORDER BY EVENT_NAME")) {
      String mode;
      String tz;
      String ddl;
      String cs;
      String coll;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE EVENT " + qualified(name))) {
        rs.next();
        mode = rs.getString(2);
        tz = rs.getString(3);
        ddl = rs.getString(4);
        cs = rs.getString(5);
        coll = rs.getString(6);
      }
      write(out, "DROP EVENT IF EXISTS " + SqlText.quoteIdent(name) + ";\n");
      writeCreate(out, definers.apply(ddl), mode, tz, cs, coll, true);
    }
  }

  // -------------------------------------------------------------- writing

  /**
   * One object: its session settings, the exact text as a directive, the client form, the dump's
   * settings again.
   */
  private void writeCreate(
      OutputStream out,
      String ddl,
      String sqlMode,
      String timeZone,
      String charset,
      String collation,
      boolean compound)
      throws IOException, SQLException {
    // the text as its client sent it, in its character_set_client, which is set just before it; a
    // text that charset cannot hold is sent, and recorded, as utf8mb4 instead
    String raw = inClientCharset(ddl, charset);
    if (raw == null) {
      charset = "utf8mb4";
      raw = DumpDirectives.encodeRaw(ddl);
    }
    StringBuilder sb = new StringBuilder();
    if (sqlMode != null) {
      sb.append("SET SESSION sql_mode = ").append(literal(sqlMode)).append(";\n");
    }
    if (timeZone != null) {
      sb.append("SET SESSION time_zone = ").append(literal(timeZone)).append(";\n");
    }
    if (isName(charset)) {
      sb.append("SET SESSION character_set_client = ").append(charset).append(";\n");
    }
    if (isName(collation)) {
      sb.append("SET SESSION collation_connection = ").append(collation).append(";\n");
    }
    // raw chars (one per byte), escaped to ASCII: a restore reads the dump a byte per char
    sb.append(DumpDirectives.line(DumpDirectives.EXACT, DumpDirectives.asciiJson(raw)));
    if (compound) {
      String delimiter = delimiterFor(raw);
      sb.append("DELIMITER ").append(delimiter).append('\n');
      sb.append(raw).append('\n').append(delimiter).append('\n');
      sb.append("DELIMITER ;\n");
    } else {
      sb.append(raw).append(";\n");
    }
    if (sqlMode != null) {
      sb.append("SET SESSION sql_mode = ").append(literal(DUMP_SQL_MODE)).append(";\n");
    }
    if (timeZone != null) {
      sb.append("SET SESSION time_zone = '+00:00';\n");
    }
    sb.append("SET NAMES utf8mb4;\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * {@code ddl} in the character set {@code charset} as raw chars (one per byte), as the object's
   * client sent it; null if that charset cannot hold it. The server converts: it knows its own
   * charsets (latin1 is cp1252 to it, say), and SHOW CREATE gave the text converted to utf8mb4.
   */
  private String inClientCharset(String ddl, String charset) throws SQLException {
    if (!isName(charset)
        || charset.toLowerCase(Locale.ROOT).startsWith("utf8")
        || ddl.chars().allMatch(ch -> ch < 0x80)) {
      return DumpDirectives.encodeRaw(ddl);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT CAST(CONVERT(? USING "
                + charset
                + ") AS BINARY), CONVERT(CONVERT(? USING "
                + charset
                + ") USING utf8mb4) = CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin")) {
      ps.setString(1, ddl);
      ps.setString(2, ddl);
      ps.setString(3, ddl);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        byte[] bytes = rs.getBytes(1);
        return rs.getBoolean(2) ? new String(bytes, StandardCharsets.ISO_8859_1) : null;
      }
    }
  }

  /** {@code ;;} as mysqldump uses, or another delimiter where the text itself contains it. */
  static String delimiterFor(String ddl) {
    for (String d : new String[] {";;", "$$", "//"}) {
      if (!ddl.contains(d)) {
        return d;
      }
    }
    for (int i = 1; ; i++) {
      String d = ";;" + i + ";;";
      if (!ddl.contains(d)) {
        return d;
      }
    }
  }

  private static boolean isName(String s) {
    return s != null && s.matches("[A-Za-z0-9_]+");
  }

  static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private List<String> names(String sql) throws SQLException {
    return Queries.column(c, sql, database);
  }

  private String qualified(String name) {
    return SqlText.quoteIdent(database) + "." + SqlText.quoteIdent(name);
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
