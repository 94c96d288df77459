package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.backydb.camel.service.JdbcRunHistory;
import io.backydb.camel.service.RunRecord;
import io.backydb.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The history in the service database keeps a run's times to the millisecond and in UTC, whatever
 * zone the JDBC URL names: Connector/J dropped the milliseconds on MariaDB (so two runs of one
 * second came back in either order) and shifted the times into the connection's zone.
 */
class JdbcRunHistoryTest {

  /** The backy_history table a BackyDB created with left_out and without insert_triggers. */
  static final String LEFT_OUT_VERSIONS_TABLE =
      "CREATE TABLE backy_history (id VARCHAR(64) NOT NULL PRIMARY KEY, operation VARCHAR(16) NOT"
          + " NULL, status VARCHAR(16) NOT NULL, node VARCHAR(255), trigger_name VARCHAR(255),"
          + " scheduled_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL, finished_at"
          + " DATETIME(3) NULL, duration_ms BIGINT NULL, database_name VARCHAR(255), dump_bytes"
          + " BIGINT NULL, stored_bytes BIGINT NULL, location VARCHAR(2000), left_out"
          + " VARCHAR(255) NULL, error VARCHAR(2000), KEY backy_history_started (started_at))"
          + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

  /**
   * The backy_history table the previous BackyDB created: with insert_triggers, without
   * engine_substitutes.
   */
  static final String PREVIOUS_VERSIONS_TABLE =
      LEFT_OUT_VERSIONS_TABLE.replace(
          " left_out VARCHAR(255) NULL,",
          " left_out VARCHAR(255) NULL, insert_triggers MEDIUMTEXT,");

  private final TestServer server = TestServer.get();
  private String database;

  @BeforeEach
  void setUp() throws Exception {
    database = TestServer.uniqueName("history");
    server.createDatabase(database);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(database);
  }

  @Test
  void runsOfOneSecond_keepTheirMillisecondsAndOrder_inUtcWhateverTheUrlsZone() throws Exception {
    MysqlDataSource ds = new MysqlDataSource();
    ds.setUrl(
        "jdbc:mysql://"
            + server.host()
            + ":"
            + server.port()
            + "/"
            + database
            + "?connectionTimeZone=%2B05:30&forceConnectionTimeZoneToSession=false");
    ds.setUser("root");
    ds.setPassword("");
    JdbcRunHistory history = new JdbcRunHistory(ds, database);
    Instant early = Instant.parse("2026-12-07T09:00:00.100Z");
    Instant late = Instant.parse("2026-12-07T09:00:00.900Z");
    // ids in the other order than the times: a tie on whole seconds would put "a" first
    history.record(run("z-late", late));
    history.record(run("a-early", early));

    assertThat(history.latest(2))
        .extracting(RunRecord::id, RunRecord::startedAt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("z-late", late),
            org.assertj.core.groups.Tuple.tuple("a-early", early));
    // the column holds UTC, as another node with another zone, or an operator's query, reads it
    try (Connection c = server.connect(database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s.%f') FROM "
                    + JdbcRunHistory.TABLE
                    + " WHERE id = 'a-early'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("2026-12-07 09:00:00.100000");
    }
  }

  /**
   * A restore's insert_triggers (the INSERT triggers that fired for every row it loaded into
   * existing tables) are kept as recorded, names with commas and backticks too. A backy_history
   * table a BackyDB created with left_out and without insert_triggers gets the column at start-up
   * (by the first node; the next has nothing to do), its rows read as runs without any.
   */
  @Test
  void insertTriggers_areKept_andAddedToATableOfThePreviousVersionAtStartUp() throws Exception {
    server.execute(
        database,
        LEFT_OUT_VERSIONS_TABLE,
        "INSERT INTO backy_history (id, operation, status, started_at, location, left_out) VALUES"
            + " ('old', 'restore', 'succeeded', '2026-12-06 09:00:00.000', '/b/old.backy',"
            + " 'views')");
    JdbcRunHistory history = startedOnTwoNodes();
    List<String> fired = List.of("`a,b` (`x``y`, `z`)", "`orders` (`orders_audit`)");
    history.record(restore(fired, null));

    assertThat(history.latest(2))
        .extracting(RunRecord::id, RunRecord::leftOut, RunRecord::insertTriggers)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("new", null, fired),
            org.assertj.core.groups.Tuple.tuple("old", List.of("views"), null));
  }

  /**
   * The history of the test's database, as two nodes start it: the first creates the table or adds
   * the columns it lacks, the second finds nothing to do. Checks the columns are all there, in
   * order.
   */
  private JdbcRunHistory startedOnTwoNodes() throws Exception {
    MysqlDataSource ds = new MysqlDataSource();
    ds.setUrl("jdbc:mysql://" + server.host() + ":" + server.port() + "/" + database);
    ds.setUser("root");
    ds.setPassword("");
    new JdbcRunHistory(ds, database);
    JdbcRunHistory history = new JdbcRunHistory(ds, database);
    assertThat(
            server.rows(
                database,
                "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM"
                    + " information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME"
                    + " = 'backy_history'"))
        .singleElement()
        .asString()
        .contains("location,left_out,insert_triggers,engine_substitutes,error");
    return history;
  }

  /**
   * Run "new", a restore requested over a queue, with these triggers fired and tables substituted.
   */
  private static RunRecord restore(List<String> insertTriggers, List<String> engineSubstitutes) {
    Instant t = Instant.parse("2026-12-07T09:00:00Z");
    return new RunRecord(
        "new",
        "restore",
        RunRecord.SUCCEEDED,
        "node",
        "restore-requests",
        null,
        t,
        t.plusSeconds(3),
        3000L,
        "shop_copy",
        null,
        null,
        "/b/shop.backy",
        null,
        insertTriggers,
        engineSubstitutes,
        null);
  }

  private static RunRecord run(String id, Instant started) {
    return new RunRecord(
        id,
        "backup",
        RunRecord.SUCCEEDED,
        "node",
        "nightly",
        null,
        started,
        started.plusSeconds(3),
        3000L,
        "shop",
        1L,
        1L,
        "/b/shop.backy",
        null,
        null,
        null,
        null);
  }

  /**
   * A restore's engine_substitutes (the tables it created in the default engine, as the target
   * lacks theirs) are kept as recorded, names with commas and backticks too. A backy_history table
   * the previous BackyDB created, with insert_triggers and without engine_substitutes, gets the
   * column at start-up, its rows read as runs without any. A value that is no JSON array (an
   * operator's edit) fails the reading in one line naming the column.
   */
  @Test
  void engineSubstitutes_areKept_andAddedToATableOfThePreviousVersionAtStartUp() throws Exception {
    server.execute(
        database,
        PREVIOUS_VERSIONS_TABLE,
        "INSERT INTO backy_history (id, operation, status, started_at, location, insert_triggers)"
            + " VALUES ('old', 'restore', 'succeeded', '2026-12-06 09:00:00.000', '/b/old.backy',"
            + " '[\"`t` (`t_audit`)\"]')");
    JdbcRunHistory history = startedOnTwoNodes();
    List<String> substituted = List.of("`a,b``c` (ARCHIVE as InnoDB)", "`logs` (CONNECT as Aria)");
    history.record(restore(null, substituted));

    assertThat(history.latest(2))
        .extracting(RunRecord::id, RunRecord::insertTriggers, RunRecord::engineSubstitutes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("new", null, substituted),
            org.assertj.core.groups.Tuple.tuple("old", List.of("`t` (`t_audit`)"), null));

    server.execute(
        database, "UPDATE backy_history SET engine_substitutes = '`logs`' WHERE id = 'new'");
    assertThatThrownBy(() -> history.latest(2))
        .isInstanceOf(io.backydb.BackyException.class)
        .hasMessageStartingWith(
            "cannot read the history in "
                + database
                + ": a run's engine_substitutes is not a JSON array of strings: ")
        .message()
        .doesNotContain("\n");
  }
}
