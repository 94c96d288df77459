package io.backydb.demo;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.config.Environment;
import io.backydb.restore.RestoreResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's first command: creates a small demo database with awkward values, backs it up
 * through the real backup route, restores it into a second database through the real restore route
 * and proves the copy identical with CHECKSUM TABLE and row counts.
 */
public final class Demo {

  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

  static final String SOURCE_DB = "backy_demo";
  static final String RESTORED_DB = "backy_demo_restored";
  static final List<String> TABLES = List.of("customers", "products", "orders");

  private final Environment env;
  private final Path dir;
  private final PrintWriter out;

  public Demo(Environment env, Path dir, PrintWriter out) {
    this.env = env;
    this.dir = dir;
    this.out = out;
  }

  /** Runs the demo; true if the restored copy is identical. */
  public boolean run(boolean forceEmbedded) throws Exception {
    Files.createDirectories(dir);
    String password = env.get(Environment.DB_PASSWORD).orElse("");
    EmbeddedMariaDb embedded = null;
    String host = "127.0.0.1";
    int port = 3306;
    try {
      if (!forceEmbedded && EmbeddedMariaDb.isServerAnswering(host, port)) {
        out.println("Using the MySQL/MariaDB server on " + host + ":" + port + " (user root).");
      } else {
        out.println(
            (forceEmbedded ? "S" : "No server answers on " + host + ":3306; s")
                + "tarting an embedded MariaDB (its first start unpacks it) ...");
        embedded = EmbeddedMariaDb.start(dir.resolve("mariadb"));
        host = embedded.host();
        port = embedded.port();
        password = "";
        out.println("Embedded MariaDB running on " + host + ":" + port + ".");
      }
      try (Connection c = connect(host, port, password)) {
        DemoDatabase.create(c, SOURCE_DB);
        drop(c, RESTORED_DB);
      }
      out.println("Created database " + SOURCE_DB + " (" + String.join(", ", TABLES) + ").");

      Path backups = dir.resolve("backups");
      Path logs = logFolder(env, dir);
      Files.createDirectories(logs);
      Map<String, String> vars = new HashMap<>();
      vars.put(Environment.DB_PASSWORD, password);
      vars.put(Environment.LOCAL_PATH, backups.toString());
      vars.put(Environment.LOGGING_PATH, logs.toString());
      Map<String, Object> database = new LinkedHashMap<>();
      database.put("host", host);
      database.put("port", port);
      database.put("user", "root");
      database.put("db_name", SOURCE_DB);

      try (BackyDB backy = new BackyDB(Environment.of(vars))) {
        BackupResult b =
            backy.backup(Map.of("database", database, "storage", Map.of("storage_type", "local")));
        out.println("Backed up " + b.metadata().totalRows() + " rows to " + b.location());
        LOG.info(
            "demo: backed up database {} ({} rows) to {}",
            SOURCE_DB,
            b.metadata().totalRows(),
            b.location());
        out.println("  metadata: " + backups.resolve(b.metadata().name() + ".metadata.json"));

        Map<String, Object> target = new LinkedHashMap<>(database);
        target.put("db_name", RESTORED_DB);
        RestoreResult r =
            backy.restore(
                Map.of(
                    "database",
                    target,
                    "backup_path",
                    b.location(),
                    "storage",
                    Map.of("storage_type", "local")));
        out.println(
            "Restored it into database "
                + RESTORED_DB
                + " ("
                + r.summary().statements()
                + " statements).");
        LOG.info(
            "demo: restored {} into database {} ({} statements)",
            b.location(),
            RESTORED_DB,
            r.summary().statements());
      }

      boolean same = true;
      try (Connection c = connect(host, port, password)) {
        for (String t : TABLES) {
          long[] a = checksum(c, SOURCE_DB, t);
          long[] b = checksum(c, RESTORED_DB, t);
          boolean ok = a[0] == b[0] && a[1] == b[1];
          same &= ok;
          out.printf(
              "  %-10s rows %6d / %6d   CHECKSUM TABLE %12d / %12d   %s%n",
              t, a[0], b[0], a[1], b[1], ok ? "identical" : "DIFFERENT");
        }
      }
      String verdict =
          same
              ? "The restored copy is identical to the source."
              : "The restored copy DIFFERS from the source.";
      out.println(verdict);
      LOG.info("demo: {}", verdict);
      if (embedded == null) {
        out.println(
            "The databases "
                + SOURCE_DB
                + " and "
                + RESTORED_DB
                + " stay on "
                + host
                + ":"
                + port
                + " for you to look at (the next demo replaces them). To drop them: mariadb -h "
                + host
                + " -P "
                + port
                + " -u root -p -e 'DROP DATABASE "
                + SOURCE_DB
                + "; DROP DATABASE "
                + RESTORED_DB
                + "'");
      } else {
        out.println("The embedded MariaDB stops now, and its databases go with it.");
      }
      return same;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /**
   * Where backup and restore keep their log: {@code LOGGING_PATH} if it is set, else {@code logs/}
   * in the demo's folder. The caller sends the log there ({@code cli.DemoCommand}).
   */
  public static Path logFolder(Environment env, Path dir) {
    return env.get(Environment.LOGGING_PATH)
        .filter(v -> !v.isBlank())
        .map(Path::of)
        .orElse(dir.resolve("logs"))
        .toAbsolutePath()
        .normalize();
  }

  static Connection connect(String host, int port, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("password", password);
    p.setProperty("allowPublicKeyRetrieval", "true");
    p.setProperty("characterEncoding", "UTF-8");
    return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/", p);
  }

  private static void drop(Connection c, String db) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + db + "`");
    }
  }

  private static long[] checksum(Connection c, String db, String table) throws SQLException {
    try (Statement s = c.createStatement()) {
      long rows;
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM `" + db + "`.`" + table + "`")) {
        rs.next();
        rows = rs.getLong(1);
      }
      try (ResultSet rs = s.executeQuery("CHECKSUM TABLE `" + db + "`.`" + table + "`")) {
        rs.next();
        return new long[] {rows, rs.getLong(2)};
      }
    }
  }
}
