package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.DatabaseConfig;
import io.backydb.config.Features;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DatabaseEngine.DumpRequest;
import io.backydb.engine.DumpInput;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secondary indexes built after the rows: only where the table comes back the same, and then it
 * does, definitions, order and rows.
 */
class DeferredIndexesTest {

  private static final TestServer server = TestServer.get();

  /** Three plain keys, one of them a prefix key with a comment, one ignored by the optimizer. */
  private static final String PLAIN_KEYS =
      "CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(40), c DATETIME,"
          + " KEY k_b (b(10)) COMMENT 'prefix, with a comma', KEY k_ac (a, c),"
          + " KEY k_c (c) IGNORED) ENGINE=InnoDB";

  private String db;

  @BeforeEach
  void create() throws SQLException {
    db = TestServer.uniqueName("defer");
    server.createDatabase(db);
  }

  @AfterEach
  void drop() throws SQLException {
    server.dropDatabase(db);
  }

  @Test
  void plainKeysAreDroppedAndAddedBackAsTheyWere() throws SQLException {
    server.execute(db, PLAIN_KEYS);
    String before = showCreate("t");
    try (Connection c = server.connect(db)) {
      String add = DeferredIndexes.dropForLoad(c, db, "t", DeferredIndexes.MIN_ROWS);
      assertThat(add).startsWith("ALTER TABLE `t` ADD KEY `k_b`");
      assertThat(indexNames("t")).containsExactly("PRIMARY");
      try (Statement s = c.createStatement()) {
        s.execute(add);
      }
    }
    assertThat(showCreate("t")).isEqualTo(before);
  }

  @Test
  void tablesThatWouldNotComeBackTheSameAreLeftAlone() throws SQLException {
    server.execute(
        db,
        PLAIN_KEYS,
        "CREATE TABLE uniq (id INT PRIMARY KEY, a INT, b INT, UNIQUE KEY u_a (a), KEY k_b (b))",
        "CREATE TABLE ft (id INT PRIMARY KEY, b TEXT, c INT, FULLTEXT KEY f_b (b), KEY k_c (c))",
        "CREATE TABLE parent (id INT PRIMARY KEY, a INT, KEY k_a (a))",
        "CREATE TABLE child (id INT PRIMARY KEY, p INT, b INT, KEY k_b (b),"
            + " CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id))",
        "CREATE TABLE my (id INT PRIMARY KEY, a INT, KEY k_a (a)) ENGINE=MyISAM",
        "CREATE TABLE part (id INT PRIMARY KEY, a INT, KEY k_a (a))"
            + " PARTITION BY HASH (id) PARTITIONS 2",
        "CREATE TABLE filled (id INT PRIMARY KEY, a INT, KEY k_a (a))",
        "INSERT INTO filled VALUES (1, 1)",
        "CREATE TABLE nokeys (id INT PRIMARY KEY, a INT)");
    long big = DeferredIndexes.MIN_ROWS;
    try (Connection c = server.connect(db)) {
      for (String t : List.of("uniq", "ft", "parent", "child", "my", "part", "filled", "nokeys")) {
        String before = showCreate(t);
        assertThat(DeferredIndexes.dropForLoad(c, db, t, big)).as(t).isNull();
        assertThat(showCreate(t)).as(t).isEqualTo(before);
      }
      // a small table keeps its indexes: building them later would not pay
      assertThat(DeferredIndexes.dropForLoad(c, db, "t", big - 1)).isNull();
      assertThat(indexNames("t")).hasSize(4);
    }
  }

  @Test
  void aBigTableRestoresWithTheSameDefinitionAndRows() throws Exception {
    ByteArrayOutputStream dump = dumpOfABigTable();
    assertThat(dump.toString(java.nio.charset.StandardCharsets.UTF_8))
        .as("the dump carries the row estimate the restore decides on")
        .containsPattern("-- backy:rows \\d{6}");

    String target = TestServer.uniqueName("defer_copy");
    try {
      List<DumpInput.DumpFile> files = new ArrayList<>();
      files.add(new DumpInput.DumpFile("dump.sql", new ByteArrayInputStream(dump.toByteArray())));
      long altersBefore = EngineFixture.globalStatus("Com_alter_table");
      List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
      java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
      ProgressListener progress =
          new ProgressListener() {
            @Override
            public void rows(String table, long n, long bytes) {
              rows.addAndGet(n);
            }

            @Override
            public void indexesStarted(String table) {
              events.add("started " + table + " after " + rows.get() + " rows");
            }

            @Override
            public void indexesFinished(String table) {
              events.add("finished " + table);
            }
          };
      new MySqlEngine(source().withDbName(target), "")
          .apply(
              new ApplyRequest(null, List.of(), false, progress),
              () -> files.isEmpty() ? null : files.remove(0));
      assertThat(EngineFixture.globalStatus("Com_alter_table") - altersBefore)
          .as("the indexes were dropped before the rows and added after them")
          .isGreaterThanOrEqualTo(2);
      assertThat(events)
          .as("the progress line hears of the build, once every row is in")
          .containsExactly("started t after 120000 rows", "finished t");
      assertThat(showCreate(target, "t")).isEqualTo(showCreate("t"));
      assertThat(server.checksums(target)).isEqualTo(server.checksums(db));
    } finally {
      server.dropDatabase(target);
    }
  }

  /**
   * A stop request (SIGTERM) while a lane builds a big table's indexes reaches the restoring thread
   * as it waits for the lanes, at a directive: it says where it stopped and what was applied, like
   * a stop at a statement, and that the table may be left without its secondary indexes.
   */
  @Test
  void aRestoreStoppedWhileItBuildsTheIndexesSaysSo() throws Exception {
    ByteArrayOutputStream dump = dumpOfABigTable();
    String target = TestServer.uniqueName("defer_stopped");
    Thread restoring = Thread.currentThread();
    ProgressListener stopAtTheBuild =
        new ProgressListener() {
          @Override
          public void indexesStarted(String table) {
            restoring.interrupt(); // what the CLI's signal handler does
          }
        };
    List<DumpInput.DumpFile> files = new ArrayList<>();
    files.add(new DumpInput.DumpFile("dump.sql", new ByteArrayInputStream(dump.toByteArray())));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  new MySqlEngine(source().withDbName(target), "")
                      .apply(
                          new ApplyRequest(null, List.of(), false, stopAtTheBuild),
                          () -> files.isEmpty() ? null : files.remove(0)))
          .isInstanceOf(io.backydb.BackyException.class)
          .hasMessageStartingWith("interrupted at dump.sql line ")
          .hasMessageContaining(" (data of table `t`); applied so far: tables, data (data in part)")
          .hasMessageEndingWith(
              "; table `t` may lack its secondary indexes (built after its rows)");
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    } finally {
      Thread.interrupted();
      server.dropDatabase(target);
    }
  }

  private String showCreate(String table) throws SQLException {
    return showCreate(db, table);
  }

  private String showCreate(String database, String table) throws SQLException {
    try (Connection c = server.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW CREATE TABLE `" + table + "`")) {
      rs.next();
      return rs.getString(2);
    }
  }

  private List<String> indexNames(String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA"
                    + " = DATABASE() AND TABLE_NAME = '"
                    + table
                    + "'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /**
   * The dump of a table {@code t} of 120,000 rows with plain secondary keys: big enough to defer.
   */
  private ByteArrayOutputStream dumpOfABigTable() throws Exception {
    server.execute(
        db,
        PLAIN_KEYS,
        "INSERT INTO t SELECT seq, seq % 977, CONCAT('name-', seq % 5003),"
            + " '2020-01-01' + INTERVAL seq MINUTE FROM seq_1_to_120000",
        "ANALYZE TABLE t");
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    new MySqlEngine(source(), "")
        .dump(
            new DumpRequest(Features.DEFAULT, List.of(), false),
            name -> name.equals("dump.sql") ? dump : new ByteArrayOutputStream());
    return dump;
  }

  /** The test's database as a dump's source, on two connections. */
  private DatabaseConfig source() {
    return new DatabaseConfig(server.host(), server.port(), "root", db, false, null, null)
        .withThreads(2);
  }
}
