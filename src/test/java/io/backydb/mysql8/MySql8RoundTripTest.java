package io.backydb.mysql8;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.config.Environment;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The round trip against a real MySQL 8 server, in a container. It runs wherever a Docker engine
 * does; where none runs (this project's CI machines) Testcontainers skips it, and the MariaDB round
 * trips carry the proof.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySql8RoundTripTest {

  static final String PASSWORD = "backy-test-root";

  @Container
  static final MySQLContainer mysql =
      new MySQLContainer("mysql:8.4").withUsername("root").withPassword(PASSWORD);

  @TempDir Path dir;

  private Connection connect(String db) throws Exception {
    return DriverManager.getConnection(
        "jdbc:mysql://"
            + mysql.getHost()
            + ":"
            + mysql.getMappedPort(3306)
            + "/"
            + db
            + "?allowPublicKeyRetrieval=true&useSSL=false",
        "root",
        PASSWORD);
  }

  private Map<String, Object> database(String db) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", mysql.getHost());
    m.put("port", mysql.getMappedPort(3306));
    m.put("user", "root");
    m.put("db_name", db);
    m.put(
        "features",
        Map.of(
            "tables",
            true,
            "data",
            true,
            "views",
            true,
            "functions",
            true,
            "procedures",
            true,
            "triggers",
            true,
            "events",
            true));
    return m;
  }

  private Map<String, String> checksums(String db) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = connect(db);
        Statement s = c.createStatement()) {
      for (String t : new String[] {"types", "audit"}) {
        try (ResultSet rs = s.executeQuery("CHECKSUM TABLE `" + t + "`")) {
          rs.next();
          out.put(t, rs.getString(2));
        }
      }
    }
    return out;
  }

  @Test
  void everyFeatureRoundTripsOnMySql8() throws Exception {
    try (Connection c = connect("");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE shop CHARACTER SET utf8mb4");
      s.execute("USE shop");
      s.execute(
          "CREATE TABLE types (id INT AUTO_INCREMENT PRIMARY KEY, f FLOAT, d DOUBLE,"
              + " dec_ DECIMAL(65,30), b BIT(13), bin VARBINARY(16), js JSON, pt POINT SRID 0,"
              + " ts TIMESTAMP(6) NULL, tx TEXT, gen INT AS (id * 2) STORED, inv INT INVISIBLE)");
      s.execute("CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100))");
      s.execute(
          "CREATE TRIGGER types_ai AFTER INSERT ON types FOR EACH ROW"
              + " INSERT INTO audit (note) VALUES (CONCAT('row ', NEW.id))");
      s.execute(
          "INSERT INTO types (f, d, dec_, b, bin, js, pt, ts, tx, inv) VALUES"
              + " (1.2345678, PI(), '-1.5', b'1010101010101', 0x00FF27, '{\"k\": \"é\"}',"
              + " ST_GeomFromText('POINT(1 2)'), '2026-01-02 03:04:05.123456', 'O''Reilly; \\\\ \\n', 7),"
              + " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
      s.execute("CREATE VIEW v AS SELECT id, gen FROM types");
      s.execute("CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2");
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("DB_PASSWORD", PASSWORD);
    vars.put("LOGGING_PATH", dir.toString());
    vars.put("LOCAL_PATH", dir.resolve("backups").toString());
    try (BackyDB backy = new BackyDB(Environment.of(vars))) {
      String location =
          backy
              .backup(
                  Map.of("database", database("shop"), "storage", Map.of("storage_type", "local")))
              .location();
      backy.restore(
          Map.of(
              "database",
              database("shop_copy"),
              "backup_path",
              location,
              "storage",
              Map.of("storage_type", "local")));
    }
    assertThat(checksums("shop_copy")).isEqualTo(checksums("shop"));
    try (Connection c = connect("shop_copy");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT twice(gen), inv FROM v JOIN types USING (id) ORDER BY id")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(4);
      assertThat(rs.getInt(2)).isEqualTo(7);
    }
  }
}
