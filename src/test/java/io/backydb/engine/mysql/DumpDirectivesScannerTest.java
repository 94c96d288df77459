package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Feature;
import io.backydb.config.Features;
import io.backydb.engine.DatabaseEngine.DumpRequest;
import io.backydb.engine.DumpContents;
import io.backydb.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link DumpDirectivesScanner} reads from real dumps. */
class DumpDirectivesScannerTest {

  private String db;

  @BeforeEach
  void create() throws Exception {
    db = TestServer.uniqueName("scan");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE `t 1` (id INT PRIMARY KEY)",
        "CREATE TABLE empty_one (id INT)",
        "CREATE TABLE ü (id INT, `ä``b` INT, g INT AS (id + 1) VIRTUAL)",
        "INSERT INTO `t 1` VALUES (1), (2)",
        "INSERT INTO ü (id) VALUES (1)",
        "CREATE TRIGGER t_bi BEFORE INSERT ON `t 1` FOR EACH ROW SET NEW.id = NEW.id",
        // a routine whose body has a line that reads like a directive: it is part of a statement
        "CREATE PROCEDURE p()\n"
            + "BEGIN\n"
            + "-- backy:section data\n"
            + "-- backy:table \"ghost\"\n"
            + "SELECT 1;\n"
            + "END");
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void itReadsTheSectionsAndTheirTablesAsTheApplierDoes() throws Exception {
    for (boolean multipleFiles : List.of(false, true)) {
      Map<String, byte[]> files = dump(multipleFiles);
      assertThat(
              files.values().stream()
                  .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8))
                  .filter(t -> t.contains("\n-- backy:table \"ghost\"\n"))
                  .count())
          .as("the routine's body line, as a client reads it, at the start of a line")
          .isOne();
      DumpDirectivesScanner scanner = new DumpDirectivesScanner();
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        try (OutputStream out = scanner.file(f.getKey())) {
          // in pieces, as a verify pass reads it
          byte[] b = f.getValue();
          for (int off = 0; off < b.length; off += 7) {
            out.write(b, off, Math.min(7, b.length - off));
          }
        }
      }
      DumpContents c = scanner.contents();
      assertThat(c.features())
          .as("multiple files: %s", multipleFiles)
          .containsExactlyInAnyOrder(
              Feature.TABLES, Feature.DATA, Feature.PROCEDURES, Feature.TRIGGERS);
      // a feature with nothing in it (no views, say) has its section all the same
      assertThat(c.sections())
          .as("multiple files: %s", multipleFiles)
          .containsOnly(Feature.values());
      assertThat(c.tablesOf(Feature.TABLES)).containsExactly("empty_one", "t 1", "ü");
      assertThat(c.tablesOf(Feature.DATA)).containsExactly("empty_one", "t 1", "ü");
      assertThat(c.tablesOf(Feature.TRIGGERS)).containsExactly("t 1");
      assertThat(c.allTables()).containsExactly("empty_one", "t 1", "ü");
      // the columns each table's rows fill, as its first INSERT names them; none without rows
      assertThat(c.rowColumns())
          .containsOnlyKeys("t 1", "ü")
          .containsEntry("t 1", List.of("id"))
          .containsEntry("ü", List.of("id", "ä`b"));
    }
  }

  /**
   * The character sets and collations the definitions name, by feature and table, for a restore to
   * look up on its target: not those in quoted text (a comment, a default, a name).
   */
  @Test
  void itReadsTheCharacterSetsAndCollationsTheDefinitionsName() throws Exception {
    server.execute(
        db,
        "CREATE TABLE l (c VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin"
            + " DEFAULT 'COLLATE nonsense1', `COLLATE nonsense2` INT) DEFAULT CHARSET=utf8mb3"
            + " COMMENT 'CHARSET nonsense3'",
        "CREATE FUNCTION f(x VARCHAR(5) CHARSET ascii COLLATE ascii_bin) RETURNS INT"
            + " DETERMINISTIC RETURN LENGTH(x)");
    DumpContents c = scan(dump(false));
    assertThat(c.collations().get(Feature.TABLES).get("l"))
        .containsExactlyInAnyOrder("latin1_bin", "utf8mb3_general_ci");
    assertThat(c.characterSets().get(Feature.TABLES).get("l"))
        .containsExactlyInAnyOrder("latin1", "utf8mb3");
    // the database's defaults, and the function's own session and parameter
    assertThat(c.collations().get(Feature.TABLES).get("")).isNotEmpty();
    assertThat(c.collations().get(Feature.FUNCTIONS).get("")).contains("ascii_bin");
    assertThat(c.characterSets().get(Feature.FUNCTIONS).get("")).contains("ascii");
    assertThat(c.collations().values().stream().flatMap(m -> m.values().stream()))
        .allSatisfy(names -> assertThat(names).noneMatch(n -> n.startsWith("nonsense")));
    assertThat(c.collations()).doesNotContainKey(Feature.DATA);
  }

  /**
   * The engine each table's definition names, from its table options only: not a column's or the
   * table's comment, nor a column named {@code engine}; a partitioned table's and a sequence's too.
   */
  @Test
  void itReadsTheEngineOfEachTableFromItsTableOptions() throws Exception {
    server.execute(
        db,
        "CREATE TABLE aria (`engine` VARCHAR(20) COMMENT 'ENGINE=MEMORY', x INT DEFAULT 0"
            + " CHECK (`engine` <> 'ENGINE = CSV')) ENGINE = Aria COMMENT 'ENGINE=CSV'",
        "CREATE TABLE parts (a INT) ENGINE=MyISAM PARTITION BY RANGE (a)"
            + " (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)",
        "CREATE SEQUENCE seq ENGINE=Aria");
    assertThat(scan(dump(true)).engines())
        .containsOnly(
            Map.entry("t 1", "InnoDB"),
            Map.entry("empty_one", "InnoDB"),
            Map.entry("\u00fc", "InnoDB"),
            Map.entry("aria", "Aria"),
            Map.entry("parts", "MyISAM"),
            Map.entry("seq", "Aria"));
  }

  /**
   * A dump of the data alone carries each table's definition as a {@code -- backy:definition} line:
   * the scanner reads the same columns and unique keys from it as from a full dump's CREATE TABLE,
   * and nothing of what a restore runs (no engine, character set or collation to look up).
   */
  @Test
  void itReadsTheDefinitionsOfADumpOfTheDataAlone() throws Exception {
    server.execute(
        db,
        "CREATE TABLE k (a VARCHAR(10) COLLATE utf8mb4_bin, b INT, c TEXT COLLATE latin1_bin,"
            + " UNIQUE KEY ab (a, b), UNIQUE KEY cp (c(5))) ENGINE=Aria",
        "INSERT INTO k VALUES ('x', 1, 'y')");
    DumpContents full = scan(dump(false));
    Features dataOnly = new Features(false, true, false, false, false, false, false);
    for (boolean multipleFiles : List.of(false, true)) {
      DumpContents c = scan(dump(dataOnly, multipleFiles));
      assertThat(c.features()).containsExactly(Feature.DATA);
      assertThat(c.definedColumns())
          .containsOnlyKeys("t 1", "empty_one", "\u00fc", "k")
          .isEqualTo(full.definedColumns());
      assertThat(c.uniqueKeys()).isEqualTo(full.uniqueKeys());
      assertThat(c.uniqueKeys().get("k")).hasSize(2);
      assertThat(c.engines()).isEmpty();
      assertThat(c.characterSets().get(Feature.TABLES)).containsOnlyKeys("");
      assertThat(c.collations().get(Feature.TABLES)).containsOnlyKeys("");
      assertThat(c.characterSets()).doesNotContainKey(Feature.DATA);
    }
  }

  private static DumpContents scan(Map<String, byte[]> files) throws Exception {
    DumpDirectivesScanner scanner = new DumpDirectivesScanner();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      try (OutputStream out = scanner.file(f.getKey())) {
        out.write(f.getValue());
      }
    }
    return scanner.contents();
  }

  /** Every feature of the database, in one file or in one per feature. */
  private Map<String, byte[]> dump(boolean multipleFiles) throws Exception {
    Map<String, byte[]> files = dump(Features.ALL, multipleFiles);
    assertThat(files).hasSize(multipleFiles ? Feature.values().length : 1);
    return files;
  }

  private Map<String, byte[]> dump(Features features, boolean multipleFiles) throws Exception {
    Map<String, ByteArrayOutputStream> files = new LinkedHashMap<>();
    new MySqlDumper(
            new MySqlConnections(EngineFixture.config(db, 1), ""),
            new DumpRequest(features, List.of(), multipleFiles),
            1 << 20)
        .dump(
            name -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              files.put(name, out);
              return out;
            });
    Map<String, byte[]> out = new LinkedHashMap<>();
    files.forEach((name, bytes) -> out.put(name, bytes.toByteArray()));
    return out;
  }
}
