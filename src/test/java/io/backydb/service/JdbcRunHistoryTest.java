package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.backydb.camel.service.JdbcRunHistory;
import io.backydb.camel.service.RunRecord;
import io.backydb.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The history in the service database keeps a run's times to the millisecond and in UTC, whatever
 * zone the JDBC URL names: Connector/J dropped the milliseconds on MariaDB (so two runs of one
 * second came back in either order) and shifted the times into the connection's zone.
 */
class JdbcRunHistoryTest {

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
        null);
  }
}
