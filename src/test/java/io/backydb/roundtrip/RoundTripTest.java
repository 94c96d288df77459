package io.backydb.roundtrip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backs up a schema with every common column type and hostile values, restores it, compares. */
class RoundTripTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("rt_src");
    target = TestServer.uniqueName("rt_dst");
    server.createDatabase(source);
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  static final String[] HOSTILE = {
    "plain",
    "",
    "O'Reilly",
    "back\\slash",
    "\\",
    "'",
    "''",
    "\"double\"",
    "semi;colon",
    "line\nbreak",
    "carriage\rreturn",
    "nul\u0000inside",
    "ctrl-z\u001a",
    "tab\t",
    "emoji \uD83D\uDE00\uD83C\uDDEB\uD83C\uDDF7",
    "-- not a comment",
    "/* nor this */",
    "# hash",
    "DELIMITER ;;",
    "é à ü ß 漢字",
    "\\'; DROP TABLE x; --",
    "`backtick`",
    "$$",
    "\u00a0nbsp"
  };

  private void createTypesTable() throws Exception {
    server.execute(
        source,
        "CREATE TABLE types ("
            + " id INT AUTO_INCREMENT PRIMARY KEY,"
            + " ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, bi BIGINT, ubi BIGINT UNSIGNED,"
            + " dec_ DECIMAL(65,30), f FLOAT, d DOUBLE, b1 BIT(1), b13 BIT(13), b64 BIT(64),"
            + " c CHAR(10), vc VARCHAR(255), tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,"
            + " bn BINARY(4), vb VARBINARY(64), bl BLOB, lb LONGBLOB,"
            + " dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(3) NULL, yr YEAR,"
            + " en ENUM('a','b','c d'), st SET('x','y','z'), js JSON,"
            + " lat1 VARCHAR(50) CHARACTER SET latin1"
            + ") CHARACTER SET utf8mb4");
    try (Connection c = server.connect(source);
        PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO types (ti, si, mi, bi, ubi, dec_, f, d, b1, b13, b64, c, vc, tx, mt, lt, bn, vb, bl, lb,"
                    + " dt, tm, dtm, ts, yr, en, st, js, lat1) VALUES"
                    + " (?,?,?,?,?,?,?,?,b'1',b'1010101010101',b'1111111111111111111111111111111111111111111111111111111111111111',"
                    + "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (int i = 0; i < HOSTILE.length * 3; i++) {
        String h = HOSTILE[i % HOSTILE.length];
        int k = 1;
        p.setInt(k++, -128 + i);
        p.setInt(k++, 65535 - i);
        p.setInt(k++, -8388608 + i);
        p.setLong(k++, Long.MIN_VALUE + i);
        p.setString(k++, "18446744073709551615");
        p.setString(k++, "-12345678901234567890123456789012345.123456789012345678901234567890");
        p.setFloat(k++, i == 0 ? 3.0e38f : (i == 1 ? Float.MIN_NORMAL : 1.2345678f * i / 7));
        p.setDouble(k++, i == 0 ? Double.MAX_VALUE : (i == 1 ? Double.MIN_VALUE : Math.PI * i / 3));
        p.setString(k++, h.length() > 10 ? h.substring(0, 10) : h);
        p.setString(k++, h);
        p.setString(k++, h + h);
        p.setString(k++, h.repeat(50));
        p.setString(k++, i % 4 == 0 ? null : h.repeat(1000));
        byte[] bin = new byte[] {(byte) i, 0, (byte) 0xff, '\''};
        p.setBytes(k++, bin);
        byte[] all = new byte[64];
        for (int j = 0; j < all.length; j++) {
          all[j] = (byte) (j * 4 + i);
        }
        p.setBytes(k++, all);
        p.setBytes(k++, i % 5 == 0 ? new byte[0] : all);
        byte[] big = new byte[70000];
        new java.util.Random(i).nextBytes(big);
        p.setBytes(k++, i % 3 == 0 ? null : big);
        p.setString(k++, "2026-02-" + String.format("%02d", 1 + i % 28));
        p.setString(k++, i % 2 == 0 ? "-838:59:59.000000" : "12:34:56.789012");
        p.setString(k++, "9999-12-31 23:59:59.999999");
        p.setString(k++, "2038-01-19 03:14:07.499");
        p.setInt(k++, 1901 + i);
        p.setString(k++, i % 2 == 0 ? "c d" : "a");
        p.setString(k++, "x,z");
        p.setString(k++, "{\"k\": " + DumpLiteral.json(h) + ", \"n\": [1, 2.5, null]}");
        p.setString(k++, "caf\u00e9 " + (i % 2 == 0 ? "\u00e0" : "\u00ff"));
        p.addBatch();
      }
      p.executeBatch();
    }
    // a row of NULLs in every nullable column
    server.execute(source, "INSERT INTO types (id) VALUES (1000)");
  }

  private BackupResult backup() {
    return backy.backup(
        Map.of(
            "database", server.databaseConfig(source), "storage", Map.of("storage_type", "local")));
  }

  private void restore(String location) {
    backy.restore(server.localRestoreConfig(target, location));
  }

  @Test
  void everyCommonTypeAndHostileStringComesBackIdentical() throws Exception {
    createTypesTable();
    BackupResult b = backup();
    assertThat(b.location()).endsWith(".sql");
    assertThat(Files.exists(Path.of(b.location()))).isTrue();
    assertThat(b.metadata().tables())
        .singleElement()
        .satisfies(t -> assertThat(t.rows()).isEqualTo(HOSTILE.length * 3L + 1));

    restore(b.location());

    assertThat(columnDigests(target)).isEqualTo(columnDigests(source));
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source)).isNotEmpty();
    // FLOAT and DOUBLE bit for bit: the checksum would miss nothing, but say it plainly
    assertThat(floatBits(target)).isEqualTo(floatBits(source));
    assertThat(autoIncrement(target)).isEqualTo(autoIncrement(source));
  }

  private List<String> floatBits(String db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, f, d FROM types ORDER BY id")) {
      while (rs.next()) {
        Object f = rs.getObject(2);
        out.add(
            rs.getInt(1)
                + ":"
                + (f == null
                    ? "null"
                    : Integer.toHexString(Float.floatToRawIntBits(rs.getFloat(2))))
                + ":"
                + (rs.getObject(3) == null
                    ? "null"
                    : Long.toHexString(Double.doubleToRawLongBits(rs.getDouble(3)))));
      }
    }
    return out;
  }

  /** Per column, a digest over all rows: says which column differs when a checksum does. */
  private Map<String, String> columnDigests(String db) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement()) {
      List<String> cols = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'types'")) {
        while (rs.next()) {
          cols.add(rs.getString(1));
        }
      }
      for (String col : cols) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT MD5(GROUP_CONCAT(HEX(`"
                    + col
                    + "`) ORDER BY id SEPARATOR ',')) FROM types")) {
          rs.next();
          out.put(col, rs.getString(1));
        }
      }
    }
    return out;
  }

  private long autoIncrement(String db) throws Exception {
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'types'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void backupIsOwnerOnlyAndListedWithMetadata() throws Exception {
    server.execute(
        source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1),(2),(3)");
    BackupResult b = backup();
    Path file = Path.of(b.location());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    Path sidecar = file.resolveSibling(b.metadata().name() + ".metadata.json");
    assertThat(sidecar).exists();
    String json = Files.readString(sidecar);
    assertThat(json)
        .contains(
            "\"database\" : \"" + source + "\"",
            "\"rows\" : 3",
            "\"server_version\"",
            "\"sha256\"");
    assertThat(file.getFileName().toString()).matches(source + "_\\d{8}T\\d{6}Z\\.sql");
  }

  @Test
  void restoreCreatesAMissingDatabaseAndRefusesANonEmptyOne() throws Exception {
    server.execute(
        source,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))",
        "INSERT INTO t VALUES (1,'a')");
    BackupResult b = backup();
    restore(b.location());
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));

    server.execute(target, "INSERT INTO t VALUES (2,'changed')");
    assertThatThrownBy(() -> restore(b.location()))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("already has 1 table(s)")
        .hasMessageContaining("replace_existing")
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.REFUSED));
    assertThat(server.checksums(target).get("t")).startsWith("2/");

    backy.restore(
        Map.of(
            "database",
            server.databaseConfig(target),
            "backup_path",
            b.location(),
            "storage",
            Map.of("storage_type", "local"),
            "replace_existing",
            true));
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  @Test
  void theDumpReplaysWithTheMariadbClientToo() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/mariadb")) && server.port() == 3306,
        "needs the mariadb client and the server on 127.0.0.1:3306");
    createTypesTable();
    BackupResult b = backup();
    server.createDatabase(target);
    Process p =
        new ProcessBuilder("/usr/bin/mariadb", "-uroot", "-h127.0.0.1", "-P3306", target)
            .redirectInput(Path.of(b.location()).toFile())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
  }

  /** JSON string quoting for test values. */
  static final class DumpLiteral {
    static String json(String s) throws Exception {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
    }
  }
}
