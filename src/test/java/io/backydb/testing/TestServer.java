package io.backydb.testing;

import io.backydb.config.Environment;
import io.backydb.demo.EmbeddedMariaDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The MySQL/MariaDB server the tests use: the one on 127.0.0.1:3306 (root, empty password) where it
 * answers, an embedded MariaDB (started once per test JVM) otherwise. Every test works in databases
 * of its own with random names, so tests never see each other's data.
 */
public final class TestServer {

  private static TestServer instance;

  private final String host;
  private final int port;

  private TestServer(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static synchronized TestServer get() {
    if (instance == null) {
      if (EmbeddedMariaDb.isServerAnswering("127.0.0.1", 3306)) {
        instance = new TestServer("127.0.0.1", 3306);
      } else {
        try {
          EmbeddedMariaDb db = EmbeddedMariaDb.start(Path.of("target", "embedded-mariadb"));
          Runtime.getRuntime().addShutdownHook(new Thread(db::close));
          instance = new TestServer(db.host(), db.port());
        } catch (Exception e) {
          throw new IllegalStateException("no MySQL/MariaDB server for the tests", e);
        }
      }
    }
    return instance;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** A new, unused database name with the given prefix. */
  public static String uniqueName(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  public Connection connect() throws SQLException {
    return connect(null);
  }

  public Connection connect(String db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("password", "");
    p.setProperty("allowPublicKeyRetrieval", "true");
    p.setProperty("characterEncoding", "UTF-8");
    p.setProperty("allowMultiQueries", "true");
    return DriverManager.getConnection(
        "jdbc:mysql://" + host + ":" + port + "/" + (db == null ? "" : db), p);
  }

  public void execute(String db, String... statements) throws SQLException {
    try (Connection c = connect(db);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  public void createDatabase(String db) throws SQLException {
    execute(null, "CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
  }

  public void dropDatabase(String db) throws SQLException {
    execute(null, "DROP DATABASE IF EXISTS `" + db + "`");
  }

  public boolean databaseExists(String db) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '"
                    + db
                    + "'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  /** Every row {@code sql} gives in {@code db}, its columns joined by {@code |}, in order. */
  public java.util.List<String> rows(String db, String sql) throws SQLException {
    java.util.List<String> rows = new java.util.ArrayList<>();
    try (Connection c = connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  /** The base tables of {@code db} with their engines, as "table ENGINE", in name order. */
  public java.util.List<String> engines(String db) throws SQLException {
    return rows(
        null,
        "SELECT CONCAT(TABLE_NAME, ' ', ENGINE) FROM information_schema.TABLES"
            + " WHERE TABLE_SCHEMA = '"
            + db
            + "' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
  }

  /** Table name → "rows/checksum" for every base table, for comparing two databases. */
  public Map<String, String> checksums(String db) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = connect(db);
        Statement s = c.createStatement()) {
      java.util.List<String> tables = new java.util.ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        String q = "`" + t.replace("`", "``") + "`";
        long rows;
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + q)) {
          rs.next();
          rows = rs.getLong(1);
        }
        try (ResultSet rs = s.executeQuery("CHECKSUM TABLE " + q)) {
          rs.next();
          out.put(t, rows + "/" + rs.getString(2));
        }
      }
    }
    return out;
  }

  /** A restore config: the local backup at {@code location} into database {@code db}. */
  public Map<String, Object> localRestoreConfig(String db, String location) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("database", databaseConfig(db));
    m.put("backup_path", location);
    m.put("storage", Map.of("storage_type", "local"));
    return m;
  }

  /**
   * The {@code database:} section of a YAML config for database {@code db} on this server as {@code
   * user}, each line ending in a newline: a test appends further database keys (indented by two
   * spaces) and the other sections.
   */
  public String databaseYaml(String user, String db) {
    return "database:\n  host: "
        + host
        + "\n  port: "
        + port
        + "\n  user: "
        + user
        + "\n  db_name: "
        + db
        + "\n";
  }

  /** The seed's database section for a database on this server. */
  public Map<String, Object> databaseConfig(String db) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", port);
    m.put("user", "root");
    m.put("db_name", db);
    return m;
  }

  /** An environment with an empty DB_PASSWORD and the given storage and log folders. */
  public static Environment environment(Path localPath, Path logs) {
    Map<String, String> vars = new HashMap<>();
    vars.put(Environment.DB_PASSWORD, "");
    vars.put(Environment.LOCAL_PATH, localPath.toString());
    vars.put(Environment.LOGGING_PATH, logs.toString());
    return Environment.of(vars);
  }
}
