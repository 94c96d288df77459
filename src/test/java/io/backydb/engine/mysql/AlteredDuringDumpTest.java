package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A table altered while a backup runs (after its definition was dumped, before its rows were read)
 * fails the backup: the snapshot keeps its rows as they were, not its definition, and INSERTs
 * naming a column the dumped CREATE TABLE lacks would make a backup that cannot be restored.
 */
class AlteredDuringDumpTest {

  String source;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("altered_src");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE a_big (id INT PRIMARY KEY, pad VARCHAR(200))",
        "INSERT INTO a_big SELECT seq, REPEAT('x', 200) FROM seq_1_to_20000",
        "CREATE TABLE z_small (id INT PRIMARY KEY, v VARCHAR(10))",
        "INSERT INTO z_small VALUES (1, 'one'), (2, 'two')");
    EngineFixture.analyze(source, "a_big", "z_small");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
  }

  @Test
  void aColumnAddedToATableNotYetReadFailsTheBackup() {
    AtomicBoolean altered = new AtomicBoolean();
    // the data section starts with the big table; z_small's definition is already in the dump
    ProgressListener alterOnce =
        new ProgressListener() {
          @Override
          public void tableStarted(String table, long estimatedRows) {
            if (table.equals("a_big") && altered.compareAndSet(false, true)) {
              try {
                server.execute(
                    source,
                    "ALTER TABLE z_small ADD COLUMN extra INT NOT NULL DEFAULT 7,"
                        + " ALGORITHM=INSTANT");
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            }
          }
        };
    assertThatThrownBy(
            () -> EngineFixture.dump(config(source, 2), "", Features.DEFAULT, 64 << 10, alterOnce))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("`z_small` was altered while it was being backed up");
  }
}
