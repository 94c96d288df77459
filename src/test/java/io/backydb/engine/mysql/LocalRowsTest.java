package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.config.Features;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restores that load rows with {@code LOAD DATA LOCAL INFILE} ({@link LocalRowsLoader}): the same
 * tables as with INSERTs, the INSERT wherever LOAD DATA would give something else, and no file of
 * the client's ever sent.
 */
class LocalRowsTest {

  private String db;
  private String copy;

  @BeforeEach
  void create() throws SQLException {
    db = TestServer.uniqueName("localrows");
    copy = TestServer.uniqueName("localrows_copy");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE every_kind (id INT PRIMARY KEY, i BIGINT, u INT UNSIGNED, d DECIMAL(20,6),"
            + " f FLOAT, g DOUBLE, c CHAR(5), v VARCHAR(200), l VARCHAR(50) CHARACTER SET latin1,"
            + " t TEXT, b BLOB, vb VARBINARY(300), dt DATETIME(3), ts TIMESTAMP NULL, da DATE,"
            + " ti TIME, y YEAR, e ENUM('a','b c'), s SET('x','y'), j JSON,"
            // not in the INSERT's column list, and named in it although SELECT * leaves it out
            + " gv BIGINT AS (id * 2) VIRTUAL, gs VARCHAR(220) AS (CONCAT('<', v, '>')) STORED,"
            + " hidden INT INVISIBLE DEFAULT 42)",
        // BIT is written as b'...', which LOAD DATA would read as text: this table keeps INSERTs
        "CREATE TABLE with_bit (id INT PRIMARY KEY, flags BIT(10), note VARCHAR(20))",
        "INSERT INTO with_bit VALUES (1, b'1010101010', 'a\tb'), (2, NULL, NULL)",
        // an explicit 0 in an AUTO_INCREMENT column stays 0 (the dump's NO_AUTO_VALUE_ON_ZERO)
        "CREATE TABLE auto_zero (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
        "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'",
        "INSERT INTO auto_zero VALUES (0, 1), (5, 2)");
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    String[] texts = {
      "tab\there",
      "back\\slash",
      "quote's \"double\"",
      "line\nbreak\r\n",
      "\\N",
      "NULL",
      "",
      "\0z",
      "ctrl-z \u001a",
      "emoji \uD83D\uDE00 and ü",
      "  spaces  ",
      "\\t\\n literal"
    };
    try (Connection c = server.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO every_kind (id, i, u, d, f, g, c, v, l, t, b, vb, dt, ts, da, ti, y,"
                    + " e, s, j, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    + " ?, ?, ?, ?)")) {
      for (int r = 0; r < 300; r++) {
        String text = texts[r % texts.length];
        boolean nulls = r % 7 == 6;
        ps.setInt(1, r);
        ps.setObject(2, nulls ? null : (r % 2 == 0 ? Long.MIN_VALUE + r : Long.MAX_VALUE - r));
        ps.setObject(3, nulls ? null : 4_294_967_295L - r);
        ps.setObject(
            4,
            nulls
                ? null
                : new java.math.BigDecimal("-12345678901234.000001")
                    .add(java.math.BigDecimal.valueOf(r)));
        ps.setObject(5, nulls ? null : (float) (Math.PI * r * 1e-7));
        ps.setObject(6, nulls ? null : (r % 3 == 0 ? Double.MAX_VALUE : -Math.E / (r + 1)));
        ps.setObject(7, nulls ? null : text.length() > 5 ? text.substring(0, 5) : text);
        ps.setObject(8, nulls ? null : text + r);
        ps.setObject(9, nulls ? null : "café " + (r % 10));
        ps.setObject(10, nulls ? null : text.repeat(r % 5 + 1));
        byte[] blob = java.util.Arrays.copyOfRange(everyByte, r % 256, 256);
        ps.setObject(11, nulls ? null : blob);
        ps.setObject(12, nulls ? null : new byte[] {'\t', '\\', 'N', (byte) 0xff, 0, '\n'});
        ps.setObject(13, nulls ? null : "2024-02-29 23:59:59.123");
        ps.setObject(14, nulls ? null : "2038-01-19 03:14:07");
        ps.setObject(15, nulls ? null : "0000-00-00");
        ps.setObject(16, nulls ? null : "-838:59:59");
        ps.setObject(17, nulls ? null : 2000 + r % 100);
        ps.setObject(18, nulls ? null : r % 2 == 0 ? "b c" : "a");
        ps.setObject(19, nulls ? null : "x,y");
        ps.setObject(
            20,
            nulls
                ? null
                : "{\"k\": \""
                    + text.replace("\\", "\\\\")
                        .replace("\"", "\\\"")
                        .replace("\n", "\\n")
                        .replace("\r", "\\r")
                        .replace("\t", "\\t")
                        .replace("\0", "\\u0000")
                        .replace("\u001a", "\\u001a")
                    + "\"}");
        ps.setInt(21, r * 3);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @AfterEach
  void drop() throws SQLException {
    server.dropDatabase(db);
    server.dropDatabase(copy);
  }

  @Test
  void aRestoreLoadsRowsThatReadBackAsTheyWere() throws Exception {
    Map<String, byte[]> dump =
        EngineFixture.dump(EngineFixture.config(db, 2), "", Features.ALL, MySqlDumper.CHUNK_BYTES);
    long insertsBefore = EngineFixture.globalStatus("Com_insert");
    long loadsBefore = EngineFixture.globalStatus("Com_load");
    EngineFixture.apply(EngineFixture.config(copy, 2), dump);
    // (tests run one at a time: the server's counters count this restore's statements)
    assertThat(EngineFixture.globalStatus("Com_load") - loadsBefore)
        .as("LOAD DATA statements")
        .isPositive();
    assertThat(EngineFixture.globalStatus("Com_insert") - insertsBefore)
        .as("INSERTs run: the BIT table's only")
        .isEqualTo(1);
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
    for (String table : List.of("every_kind", "with_bit", "auto_zero")) {
      assertThat(EngineFixture.rows(copy, "SELECT * FROM " + table + " ORDER BY id"))
          .isEqualTo(EngineFixture.rows(db, "SELECT * FROM " + table + " ORDER BY id"));
    }
    assertThat(EngineFixture.rows(copy, "SELECT SUM(hidden), SUM(gv), COUNT(gs) FROM every_kind"))
        .containsExactly("134550|89700|258");
  }

  @Test
  void whenTheServerRefusesLocalDataTheInsertsRun() throws Exception {
    Map<String, byte[]> dump =
        EngineFixture.dump(EngineFixture.config(db, 2), "", Features.ALL, MySqlDumper.CHUNK_BYTES);
    String before = globalVariable("local_infile");
    server.execute(null, "SET GLOBAL local_infile = OFF");
    try {
      long insertsBefore = EngineFixture.globalStatus("Com_insert");
      EngineFixture.apply(EngineFixture.config(copy, 2), dump);
      assertThat(EngineFixture.globalStatus("Com_insert") - insertsBefore)
          .as("INSERTs run: every data statement's")
          .isEqualTo(insertStatements(dump));
    } finally {
      server.execute(null, "SET GLOBAL local_infile = " + before);
    }
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
  }

  @Test
  void aLoadTheServerWouldChangeIsRolledBackSoThatTheInsertDecides() throws Exception {
    server.execute(
        db,
        "CREATE TABLE dup (id INT PRIMARY KEY, v VARCHAR(5))",
        "INSERT INTO dup VALUES (1, 'old')");
    MySqlConnections connections = new MySqlConnections(EngineFixture.config(db, 1), "");
    try (Connection c = connections.openRaw(true)) {
      c.setCatalog(db); // before the statement: Connector/J binds it to the current database
      Statement s = c.createStatement();
      LocalRowsLoader loader = new LocalRowsLoader(Set.of("dup"), new AtomicBoolean(), c, s);
      // LOCAL makes the server skip the duplicate with a warning; an INSERT fails instead
      assertThat(loader.load("dup", "INSERT INTO `dup` VALUES (2,'new'),(1,'again')"))
          .isEqualTo(-1);
      assertThat(EngineFixture.rows(db, "SELECT * FROM dup ORDER BY id")).containsExactly("1|old");
      // a value the column would cut short: a warning too, so nothing of it stays
      assertThat(loader.load("dup", "INSERT INTO `dup` VALUES (3,'toolong')")).isEqualTo(-1);
      assertThat(EngineFixture.rows(db, "SELECT * FROM dup ORDER BY id")).containsExactly("1|old");
      // a table not on the list, or a statement not understood, is left to its INSERT at once
      assertThat(loader.load("other", "INSERT INTO `other` VALUES (1)")).isEqualTo(-1);
      assertThat(loader.load("dup", "INSERT INTO `dup` VALUES (4, CONCAT('a','b'))")).isEqualTo(-1);
      assertThat(loader.load("dup", "INSERT INTO `dup` VALUES (2,'new'),(3,NULL)")).isEqualTo(2);
      assertThat(EngineFixture.rows(db, "SELECT * FROM dup ORDER BY id"))
          .containsExactly("1|old", "2|new", "3|null");
    }
  }

  @Test
  void aServerThatAsksForAFileGetsNone() throws Exception {
    server.execute(db, "CREATE TABLE `lines` (line TEXT)");
    MySqlConnections connections = new MySqlConnections(EngineFixture.config(db, 1), "");
    String ask = "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE `lines`";
    try (Connection c = connections.openRaw(true)) {
      c.setCatalog(db); // before the statement: Connector/J binds it to the current database
      Statement s = c.createStatement();
      // as opened: LOCAL is confined to a folder that does not exist
      assertThatThrownBy(() -> s.execute(ask)).isInstanceOf(SQLException.class);
      new LocalRowsLoader(Set.of("lines"), new AtomicBoolean(), c, s);
      // once the loader has it: only the loader's own rows, here none
      s.execute(ask);
      assertThat(s.getUpdateCount()).isZero();
    }
    assertThat(EngineFixture.rows(db, "SELECT COUNT(*) FROM `lines`")).containsExactly("0");
    assertThat(
            new String(
                java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/etc/hostname")),
                StandardCharsets.UTF_8))
        .isNotEmpty();
  }

  private static long insertStatements(Map<String, byte[]> dump) {
    return dump.values().stream()
        .mapToLong(
            b ->
                new String(b, StandardCharsets.ISO_8859_1)
                    .lines()
                    .filter(l -> l.startsWith("INSERT INTO "))
                    .count())
        .sum();
  }

  private static String globalVariable(String name) throws SQLException {
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@GLOBAL." + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
