package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.protocol.Resultset;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dump reads its rows off the connection's socket ({@link WireRows}); where it cannot, through
 * Connector/J's row objects ({@link RowCursor.ConnectorJRows}) or JDBC. All must give the same
 * INSERT statements, byte for byte, for every column kind, NULLs, empty values, text that needs
 * escaping and rows longer than a protocol packet; and the socket reader must leave the connection
 * ready for its next statement however the query ends. A connection killed while the dump reads is
 * also covered end to end by {@code roundtrip.LargeBackupTest}.
 */
class RowCursorTest {

  static final String SELECT =
      "SELECT id, d, f + 0e0, g, b, bin, t, j, dt, e, e + 0 = 0 FROM `%s`.rows_t ORDER BY id";
  static final ColumnKind[] KINDS = {
    ColumnKind.NUMBER,
    ColumnKind.NUMBER,
    ColumnKind.FLOAT,
    ColumnKind.DOUBLE,
    ColumnKind.BIT,
    ColumnKind.BINARY,
    ColumnKind.STRING,
    ColumnKind.STRING,
    ColumnKind.STRING,
    ColumnKind.ENUM,
    ColumnKind.ENUM_ERROR
  };

  String db;

  @BeforeEach
  void create() throws Exception {
    db = TestServer.uniqueName("rows");
    server.createDatabase(db);
    server.execute(
        db,
        "SET SESSION sql_mode = ''",
        "CREATE TABLE rows_t (id INT PRIMARY KEY, d DECIMAL(12,3), f FLOAT, g DOUBLE, b BIT(10),"
            + " bin VARBINARY(64), t VARCHAR(200) CHARACTER SET utf8mb4, j JSON, dt DATETIME(3),"
            + " e ENUM('a','b'))",
        "INSERT INTO rows_t VALUES"
            + " (1, -12.5, 1.1, 2.5e-300, b'1010101010', X'00FF275C0A', 'O''Reilly \\\\ \"q\"\\n\\0'"
            + ", '{\"k\": [1, \"\u00e9\"]}', '2026-11-27 03:04:05.678', 'b'),"
            + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (3, 0, 0, 0, b'0', '', '', '[]', '1970-01-01 00:00:01', 'c'),"
            + " (4, 999999999.999, -3.4e38, 1.7976931348623157e308, b'1111111111', X'80',"
            + " 'emoji \uD83D\uDE00 \u0442\u0435\u0441\u0442', '{}', '9999-12-31 23:59:59.999', 'a')");
    // enough rows for several statements, and values whose lengths take 1, 3 and 4 bytes to say
    server.execute(
        db,
        "INSERT INTO rows_t SELECT seq, seq / 7, seq / 3, seq * 1.5, seq % 1024, UNHEX(MD5(seq)),"
            + " CONCAT('row ''', seq, '''\\t'), JSON_OBJECT('n', REPEAT('x', seq % 300)), NOW(),"
            + " IF(seq % 2, 'a', 'b') FROM seq_10_to_20000");
    server.execute(
        db,
        "UPDATE rows_t SET j = JSON_OBJECT('long', REPEAT('y', 70000 + id)) WHERE id IN (11, 12)");
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void socketRowsGiveTheSameDumpAsConnectorJAndJdbc() throws Exception {
    String wire = dump(SELECT.formatted(db), KINDS, Reader.WIRE);
    String connectorJ = dump(SELECT.formatted(db), KINDS, Reader.CONNECTOR_J);
    String jdbc = dump(SELECT.formatted(db), KINDS, Reader.JDBC);

    assertThat(wire).isEqualTo(jdbc);
    assertThat(connectorJ).isEqualTo(jdbc);
    assertThat(wire)
        .contains("(2,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)")
        .contains("'O\\'Reilly \\\\ \"q\"\\n\\0'")
        .contains("emoji \uD83D\uDE00")
        .contains(",(0))") // the invalid ENUM value of row 3
        .contains("y".repeat(70012))
        .contains("(20000,");
    assertThat(wire.split(";\n")).as("several statements").hasSizeGreaterThan(1);
  }

  @Test
  void theDumpsConnectionsReadOffTheSocket() throws Exception {
    try (Connection c = open();
        RowCursor rows = RowCursor.query(c, SELECT.formatted(db))) {
      assertThat(rows).isInstanceOf(WireRows.class);
      assertThat(((WireRows) rows).columns()).isEqualTo(KINDS.length);
    }
  }

  @Test
  void aCompressedConnectionIsReadThroughConnectorJ() throws Exception {
    try (Connection c =
            java.sql.DriverManager.getConnection(
                "jdbc:mysql://" + server.host() + ":" + server.port() + "/?useCompression=true",
                "root",
                "");
        RowCursor rows = RowCursor.query(c, SELECT.formatted(db))) {
      assertThat(rows).isInstanceOf(RowCursor.ConnectorJRows.class);
      assertThat(rows.next()).isTrue();
    }
  }

  /**
   * A query and a row of more than 16 MiB travel in several packets each (the server must allow
   * them: max_allowed_packet is raised for the test, as a user with such rows has it).
   */
  @Test
  void aQueryAndARowLongerThanAPacket() throws Exception {
    long original = globalMaxPacket();
    server.execute(null, "SET GLOBAL max_allowed_packet = 64 * 1024 * 1024");
    try {
      // a query of 17 MiB, and a row of 22 MiB, 2 MiB of which need escaping
      String query = "SELECT 1, REPEAT('ab\\\\\\'c', 1000000), 7, '" + "q".repeat(17 << 20) + "'";
      ColumnKind[] kinds = {
        ColumnKind.NUMBER, ColumnKind.STRING, ColumnKind.NUMBER, ColumnKind.STRING
      };
      byte[] wire = dumpBytes(query, kinds, Reader.WIRE);
      assertThat(sha256(wire)).isEqualTo(sha256(dumpBytes(query, kinds, Reader.JDBC)));
      String head = new String(wire, 0, 100, StandardCharsets.UTF_8);
      assertThat(head).startsWith("INSERT INTO `rows_t` VALUES\n(1,'ab\\\\\\'c");
      assertThat(wire.length).isGreaterThan(7_000_000 + (17 << 20));
    } finally {
      server.execute(null, "SET GLOBAL max_allowed_packet = " + original);
    }
  }

  @Test
  void theServersErrorForTheQueryLeavesTheConnectionUsable() throws Exception {
    try (Connection c = open()) {
      assertThatThrownBy(() -> RowCursor.query(c, "SELECT * FROM `" + db + "`.missing"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getErrorCode()).isEqualTo(1146);
                assertThat(e.getSQLState()).isEqualTo("42S02");
                assertThat(e.getMessage()).contains("missing").doesNotContain("#");
              });
      assertStillUsable(c);
    }
  }

  @Test
  void aQueryKilledWhileItsRowsAreReadFailsWithTheServersErrorAndLeavesTheConnectionUsable()
      throws Exception {
    try (Connection c = open()) {
      SQLException e = killWhileReading(c, "KILL QUERY ");
      assertThat(e.getErrorCode()).isEqualTo(1317);
      assertStillUsable(c);
    }
  }

  @Test
  void aKilledConnectionIsALostConnection() throws Exception {
    try (Connection c = open()) {
      SQLException e = killWhileReading(c, "KILL ");
      assertThat(MySqlConnections.isLostConnection(e)).as(e.toString()).isTrue();
    }
  }

  /**
   * Reads the first row of a slow query on {@code c}, has another connection run {@code kill} with
   * c's id, and returns what reading on then throws; the cursor is closed after.
   */
  private SQLException killWhileReading(Connection c, String kill) throws Exception {
    long id = connectionId(c);
    // a row every millisecond or so, far longer than the test
    try (RowCursor rows =
        RowCursor.query(
            c, "SELECT seq FROM `" + db + "`.seq_1_to_10000000 WHERE SLEEP(0.001) = 0")) {
      assertThat(rows.next()).isTrue();
      server.execute(null, kill + id);
      while (true) {
        try {
          if (!rows.next()) {
            throw new AssertionError("the query ended without an error after " + kill);
          }
        } catch (SQLException e) {
          return e;
        }
      }
    }
  }

  @Test
  void closingBeforeTheLastRowReadsTheRestSoTheConnectionGoesOn() throws Exception {
    try (Connection c = open()) {
      try (RowCursor rows = RowCursor.query(c, SELECT.formatted(db))) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.column(0)).isTrue();
        assertThat(new String(rows.array(), rows.offset(), rows.length(), StandardCharsets.UTF_8))
            .isEqualTo("1");
      }
      assertStillUsable(c);
    }
  }

  enum Reader {
    WIRE,
    CONNECTOR_J,
    JDBC
  }

  private String dump(String query, ColumnKind[] kinds, Reader reader) throws Exception {
    return new String(dumpBytes(query, kinds, reader), StandardCharsets.UTF_8);
  }

  /** The rows of {@code query} as InsertStatements writes them, read through {@code reader}. */
  private byte[] dumpBytes(String query, ColumnKind[] kinds, Reader reader) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] prefix = "INSERT INTO `rows_t` VALUES\n".getBytes(StandardCharsets.UTF_8);
    try (Connection c = open();
        RowCursor rows = cursor(c, query, reader)) {
      new InsertStatements(prefix, kinds, new SqlText(), out)
          .write(rows, "rows_t", ProgressListener.NONE);
      assertStillUsable(c);
    }
    return out.toByteArray();
  }

  private static RowCursor cursor(Connection c, String query, Reader reader) throws SQLException {
    if (reader == Reader.WIRE) {
      RowCursor rows = RowCursor.query(c, query);
      assertThat(rows).isInstanceOf(WireRows.class);
      return rows;
    }
    Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    s.setFetchSize(Integer.MIN_VALUE);
    ResultSet rs = s.executeQuery(query);
    return reader == Reader.JDBC
        ? new RowCursor.JdbcRows(s, rs)
        : new RowCursor.ConnectorJRows(s, rs.unwrap(Resultset.class).getRows());
  }

  private Connection open() {
    return new MySqlConnections(EngineFixture.config(db, 1), "").open();
  }

  private static void assertStillUsable(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 6 * 7")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
  }

  private static long connectionId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long globalMaxPacket() throws SQLException {
    return Long.parseLong(server.rows(null, "SELECT @@GLOBAL.max_allowed_packet").get(0));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
