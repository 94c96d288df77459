package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.engine.DumpContents.Column;
import io.backydb.engine.DumpContents.KeyPart;
import io.backydb.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which target columns take a backup column's values unchanged, with both sides as the server
 * writes them: the backup's from {@code SHOW CREATE TABLE} (what the dump holds, read by {@link
 * CreateTableColumns}), the target's from information_schema (what {@link ExistingTables} reads).
 */
class ColumnTypesTest {

  static final TestServer server = TestServer.get();

  String db;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("coltypes");
    server.createDatabase(db);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void aTableTakesTheValuesOfItsOwnDefinitionWhateverItsTypes() throws Exception {
    String columns =
        "id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b VARCHAR(10) COLLATE utf8mb4_bin,"
            + " c VARCHAR(5) CHARACTER SET utf8mb3, d DECIMAL(10,2) UNSIGNED ZEROFILL,"
            + " e ENUM('x','y''z','a,b', 'N\\\\OT NULL') NOT NULL, f SET('p','q'), g BLOB COMPRESSED,"
            + " h INT INVISIBLE, j JSON, k TIMESTAMP(3) NULL, l DATETIME, m YEAR, n BOOL,"
            + " o TEXT COMMENT 'CHARACTER SET latin1 NOT NULL', p BIGINT(5) UNSIGNED DEFAULT 3,"
            + " q UUID, r INET6, s POINT, u BIT(3), v CHAR(3) CHARACTER SET ascii, w FLOAT(7,3),"
            + " x DOUBLE, y BINARY(4), z TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
            + " `we``ird (name)` TIME(2) NOT NULL DEFAULT '00:00:01' CHECK (`we``ird (name)` > 0)";
    server.execute(db, "CREATE TABLE t (" + columns + ")");
    String ddl = showCreate("t");
    Map<String, Column> backup = CreateTableColumns.of(ddl);
    Map<String, Column> target = informationSchema("t");
    // a statement cut anywhere is read as far as it goes, never fails the restore's scan
    for (int cut = 0; cut < ddl.length(); cut++) {
      CreateTableColumns.of(ddl.substring(0, cut));
    }
    target.forEach(
        (name, c) -> assertThat(ColumnTypes.difference(backup.get(name), c)).as(name).isNull());
    // the same as the server's own reading, but for the comment the type of a compressed column
    // has in information_schema, which changes no value
    assertThat(target.remove("g").type()).isEqualTo("blob /*M!100301 COMPRESSED*/");
    assertThat(backup.remove("g").type()).isEqualTo("blob");
    assertThat(backup).isEqualTo(target);
  }

  @Test
  void aTargetColumnTakesTheValuesOfTheSameTypeOrASafelyWiderOne() throws Exception {
    // backup's column, target's column, whether the target takes the backup's values unchanged
    String[][] cases = {
      {"VARCHAR(20)", "VARCHAR(30)", "yes"},
      {"VARCHAR(20)", "VARCHAR(10)", "no"},
      {"VARCHAR(20) DEFAULT 'a' COMMENT 'x'", "VARCHAR(20) DEFAULT 'b'", "yes"},
      {"VARCHAR(20) COLLATE utf8mb4_bin", "VARCHAR(20)", "yes"},
      {"VARCHAR(20) CHARACTER SET latin1", "VARCHAR(20) CHARACTER SET utf8mb4", "yes"},
      {"VARCHAR(20) CHARACTER SET utf8mb4", "VARCHAR(20) CHARACTER SET latin1", "no"},
      {"VARCHAR(20) CHARACTER SET utf8mb4", "VARCHAR(20) CHARACTER SET utf8mb3", "no"},
      {"VARCHAR(20)", "INT", "no"},
      {"VARCHAR(20)", "TEXT", "no"},
      {"CHAR(2)", "CHAR(4)", "yes"},
      {"INT", "VARCHAR(20)", "no"},
      {"INT", "BIGINT", "yes"},
      {"INT(11)", "INT(3)", "yes"},
      {"INT", "INT ZEROFILL", "no"}, // ZEROFILL makes it unsigned
      {"INT UNSIGNED", "INT ZEROFILL", "yes"},
      {"BIGINT", "INT", "no"},
      {"INT UNSIGNED", "BIGINT", "yes"},
      {"INT UNSIGNED", "INT", "no"},
      {"INT", "INT UNSIGNED", "no"},
      {"INT", "INT NOT NULL", "no"},
      {"INT NOT NULL", "INT", "yes"},
      {"DECIMAL(10,2)", "DECIMAL(12,3)", "yes"},
      {"DECIMAL(10,2)", "DECIMAL(10,3)", "no"},
      {"DECIMAL(10,2)", "DECIMAL(9,2)", "no"},
      {"DECIMAL(10,2) UNSIGNED", "DECIMAL(10,2)", "yes"},
      {"DECIMAL(10,2)", "DECIMAL(10,2) UNSIGNED", "no"},
      {"ENUM('a','b')", "ENUM('a','b','c')", "yes"},
      {"ENUM('a','b')", "ENUM('b','a')", "yes"},
      {"ENUM('a','b')", "ENUM('a','c')", "no"},
      {"SET('x','y')", "SET('y','x','z')", "yes"},
      {"SET('x','y')", "SET('x')", "no"},
      {"DATETIME", "TIMESTAMP NULL", "no"},
      {"TIMESTAMP NULL", "DATETIME", "no"},
      {"DATETIME(3)", "DATETIME(6)", "yes"},
      {"DATETIME(6)", "DATETIME", "no"},
      {"TIME", "TIME(1)", "yes"},
      {"TEXT", "MEDIUMTEXT", "yes"},
      {"MEDIUMTEXT", "TEXT", "no"},
      {"BLOB", "LONGBLOB", "yes"},
      {"BLOB COMPRESSED", "BLOB", "yes"},
      {"TEXT", "BLOB", "no"},
      {"FLOAT", "DOUBLE", "no"},
      {"BINARY(4)", "BINARY(8)", "no"},
      {"VARBINARY(4)", "VARBINARY(8)", "yes"},
      {"JSON", "JSON", "yes"},
      {"BIT(3)", "BIT(4)", "no"},
    };
    List<String> backupColumns = new ArrayList<>();
    List<String> targetColumns = new ArrayList<>();
    Map<String, Boolean> expected = new TreeMap<>();
    for (int i = 0; i < cases.length; i++) {
      backupColumns.add("c" + i + " " + cases[i][0]);
      targetColumns.add("c" + i + " " + cases[i][1]);
      expected.put("c" + i, cases[i][2].equals("yes"));
    }
    server.execute(
        db,
        "CREATE TABLE backup (" + String.join(", ", backupColumns) + ")",
        "CREATE TABLE target (" + String.join(", ", targetColumns) + ")");
    Map<String, Column> backup = CreateTableColumns.of(showCreate("backup"));
    Map<String, Column> target = informationSchema("target");
    Map<String, Boolean> taken = new TreeMap<>();
    Map<String, String> described = new LinkedHashMap<>();
    for (int i = 0; i < cases.length; i++) {
      String d = ColumnTypes.difference(backup.get("c" + i), target.get("c" + i));
      taken.put("c" + i, d == null);
      described.put("c" + i, cases[i][0] + " -> " + cases[i][1] + ": " + d);
    }
    assertThat(taken).as(described.toString()).isEqualTo(expected);
    assertThat(described.get("c1")).endsWith(": varchar(10) where the backup has varchar(20)");
    assertThat(described.get("c5"))
        .endsWith(
            ": varchar(20) CHARACTER SET latin1 where the backup has varchar(20) CHARACTER SET"
                + " utf8mb4");
    assertThat(described.get("c19"))
        .endsWith(": int(11) NOT NULL where the backup has int(11) NULL");
  }

  @Test
  void aDefinitionsUniqueKeysAndCollationsAreReadAsTheServerWritesThem() throws Exception {
    server.execute(
        db,
        "CREATE TABLE t (id INT, a VARCHAR(10) CHARACTER SET latin1, b VARCHAR(10) COLLATE"
            + " utf8mb4_bin, `c,d` TEXT, e INT, PRIMARY KEY (id), UNIQUE KEY ab (a(3), b DESC),"
            + " CONSTRAINT cd UNIQUE (`c,d`) USING HASH, KEY not_unique (e), UNIQUE (e))"
            + " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
    CreateTableColumns.Definition d = CreateTableColumns.definition(showCreate("t"));
    assertThat(d.uniqueKeys())
        .containsExactlyInAnyOrder(
            List.of(new KeyPart("id", 0)),
            List.of(new KeyPart("a", 3), new KeyPart("b", 0)),
            List.of(new KeyPart("c,d", 0)),
            List.of(new KeyPart("e", 0)));
    assertThat(d.columns().get("a").collation()).isEqualTo("latin1_swedish_ci");
    assertThat(d.columns().get("b").collation()).isEqualTo("utf8mb4_bin");
    assertThat(d.columns().get("c,d").collation()).isEqualTo("utf8mb4_unicode_ci");
    assertThat(d.columns().get("id").collation()).isNull();
    // a character set without a collation has the server's default one: not known
    assertThat(
            CreateTableColumns.definition(
                    "CREATE TABLE `t` (`a` varchar(3) CHARACTER SET latin1, `b` text)"
                        + " DEFAULT CHARSET=utf8mb4")
                .columns())
        .allSatisfy((name, c) -> assertThat(c.collation()).as(name).isNull());
  }

  private String showCreate(String table) throws Exception {
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW CREATE TABLE " + table)) {
      rs.next();
      return rs.getString(2);
    }
  }

  /** The table's columns as {@link ExistingTables} reads the target's. */
  private Map<String, Column> informationSchema(String table) throws Exception {
    Map<String, Column> columns = new TreeMap<>();
    try (Connection c = server.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE"
                    + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, db);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(
              rs.getString(1).toLowerCase(java.util.Locale.ROOT),
              new Column(
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  "YES".equals(rs.getString(5))));
        }
      }
    }
    return columns;
  }
}
