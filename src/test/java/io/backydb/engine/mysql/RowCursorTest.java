package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dump reads Connector/J's rows directly ({@link RowCursor.ConnectorJRows}) rather than through
 * JDBC: both must give the same INSERT statements, byte for byte, for every column kind, NULLs,
 * empty values and text that needs escaping. A lost connection on the direct path is covered by
 * {@code roundtrip.LargeBackupTest}, which kills the dump's connection mid-table.
 */
class RowCursorTest {

  static final String SELECT =
      "SELECT id, d, f + 0e0, g, b, bin, t, j, dt FROM `%s`.rows_t ORDER BY id";
  static final ColumnKind[] KINDS = {
    ColumnKind.NUMBER,
    ColumnKind.NUMBER,
    ColumnKind.FLOAT,
    ColumnKind.DOUBLE,
    ColumnKind.BIT,
    ColumnKind.BINARY,
    ColumnKind.STRING,
    ColumnKind.STRING,
    ColumnKind.STRING
  };

  String db;

  @BeforeEach
  void create() throws Exception {
    db = TestServer.uniqueName("rows");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE rows_t (id INT PRIMARY KEY, d DECIMAL(12,3), f FLOAT, g DOUBLE, b BIT(10),"
            + " bin VARBINARY(64), t VARCHAR(200) CHARACTER SET utf8mb4, j JSON, dt DATETIME(3))",
        "INSERT INTO rows_t VALUES"
            + " (1, -12.5, 1.1, 2.5e-300, b'1010101010', X'00FF275C0A', 'O''Reilly \\\\ \"q\"\\n\\0'"
            + ", '{\"k\": [1, \"\u00e9\"]}', '2026-11-27 03:04:05.678'),"
            + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (3, 0, 0, 0, b'0', '', '', '[]', '1970-01-01 00:00:01'),"
            + " (4, 999999999.999, -3.4e38, 1.7976931348623157e308, b'1111111111', X'80',"
            + " 'emoji \uD83D\uDE00 \u0442\u0435\u0441\u0442', '{}', '9999-12-31 23:59:59.999')");
    // enough rows for several statements
    server.execute(
        db,
        "INSERT INTO rows_t SELECT seq, seq / 7, seq / 3, seq * 1.5, seq % 1024, UNHEX(MD5(seq)),"
            + " CONCAT('row ''', seq, '''\\t'), JSON_OBJECT('n', seq), NOW() FROM seq_10_to_20000");
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void connectorJRowsGiveTheSameDumpAsJdbc() throws Exception {
    String direct = dump(RowCursor::of);
    String jdbc = dump(rs -> new RowCursor.JdbcRows(rs));

    assertThat(direct).isEqualTo(jdbc);
    assertThat(direct)
        .contains("(2,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)")
        .contains("'O\\'Reilly \\\\ \"q\"\\n\\0'")
        .contains("emoji \uD83D\uDE00")
        .contains("(20000,");
    assertThat(direct.split(";\n")).as("several statements").hasSizeGreaterThan(1);
  }

  @Test
  void theDumpsConnectionsTakeTheDirectPath() throws Exception {
    try (Connection c = new MySqlConnections(EngineFixture.config(db, 1), "").open();
        Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      s.setFetchSize(Integer.MIN_VALUE);
      try (ResultSet rs = s.executeQuery(SELECT.formatted(db))) {
        assertThat(RowCursor.of(rs)).isInstanceOf(RowCursor.ConnectorJRows.class);
      }
    }
  }

  interface CursorOver {
    RowCursor apply(ResultSet rs) throws SQLException;
  }

  /** The table as InsertStatements writes it, read through the given cursor, as the dump reads. */
  private String dump(CursorOver cursor) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] prefix = "INSERT INTO `rows_t` VALUES\n".getBytes(StandardCharsets.UTF_8);
    try (Connection c = new MySqlConnections(EngineFixture.config(db, 1), "").open();
        Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      s.setFetchSize(Integer.MIN_VALUE);
      try (ResultSet rs = s.executeQuery(SELECT.formatted(db))) {
        long[] written =
            new InsertStatements(prefix, KINDS, new SqlText(), out)
                .write(cursor.apply(rs), "rows_t", ProgressListener.NONE);
        assertThat(written[0]).isEqualTo(4 + 19991);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
