package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How {@link ParallelInserts} shares statements out among its connections. */
class ParallelInsertsTest {

  private String db;

  @BeforeEach
  void create() throws SQLException {
    db = TestServer.uniqueName("lanes");
    server.createDatabase(db);
    server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)");
  }

  @AfterEach
  void drop() throws SQLException {
    server.dropDatabase(db);
  }

  /**
   * A lane that builds a table's indexes (here: sleeps) gets no statement while another lane is
   * free: before, a statement could wait in its queue for the whole build, and with it the dump's
   * reader, however free the other lanes were.
   */
  @Test
  void statementsGoAroundALaneThatBuildsIndexes() throws Exception {
    Map<String, Long> loaded = new HashMap<>();
    MySqlConnections connections = new MySqlConnections(EngineFixture.config(db, 2), "");
    try (ParallelInserts lanes =
        new ParallelInserts(
            connections, db, List.of(), 2, Set.of(), loaded, ProgressListener.NONE)) {
      lanes.beginTable(true);
      lanes.submit("t", "INSERT INTO t VALUES (0)", "first");
      lanes.awaitAll();
      // the table's "index build": a job that follows its statements, as DeferredIndexes' does
      lanes.buildIndexesAfter("t", "DO SLEEP(6)", "the index build");
      // until a lane runs it
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !EngineFixture.rows(null, SLEEPING).isEmpty());
      for (int i = 1; i <= 40; i++) {
        lanes.submit("t", "INSERT INTO t VALUES (" + i + ")", "row " + i);
      }
      try {
        // well before the sleep ends
        Awaitility.await().atMost(Duration.ofSeconds(4)).until(() -> rows(loaded) == 41);
      } catch (ConditionTimeoutException e) {
        // the assertion says how many got in
      }
      assertThat(EngineFixture.rows(null, SLEEPING)).as("the index build still runs").isNotEmpty();
      assertThat(rows(loaded)).as("rows in while the other lane sleeps").isEqualTo(41);
      assertThat(lanes.failure()).isNull();
    }
  }

  /** The server's session that runs the stand-in index build, if it does. */
  private static final String SLEEPING =
      "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'DO SLEEP(6)'";

  private static long rows(Map<String, Long> loaded) {
    synchronized (loaded) {
      return loaded.getOrDefault("t", 0L);
    }
  }
}
