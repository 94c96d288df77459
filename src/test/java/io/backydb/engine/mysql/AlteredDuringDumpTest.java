package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        "CREATE TABLE z_small (id INT PRIMARY KEY,"
            + " v VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
            + " n INT, d DECIMAL(10,2), e ENUM('a','b','c'), code VARCHAR(10) NULL,"
            + " g INT AS (n + 1) VIRTUAL)",
        "INSERT INTO z_small (id, v, n, d, e, code) VALUES"
            + " (1, 'one', 1, 1.5, 'a', 'x'), (2, 'two', 2, 2.5, 'b', 'y')");
    EngineFixture.analyze(source, "a_big", "z_small");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
  }

  @Test
  void aColumnAddedToATableNotYetReadFailsTheBackup() {
    assertThatThrownBy(
            () -> dumpAltering("ADD COLUMN extra INT NOT NULL DEFAULT 7, ALGORITHM=INSTANT"))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("`z_small` was altered while it was being backed up");
  }

  /**
   * A change that keeps a column's DATA_TYPE but not what it holds: the dumped CREATE TABLE and the
   * rows would disagree (a restore truncating or refusing values, comparing them otherwise).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "MODIFY v VARCHAR(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
        "MODIFY n TINYINT",
        "MODIFY n INT UNSIGNED",
        "MODIFY d DECIMAL(5,2)",
        "MODIFY e ENUM('a','b')",
        "MODIFY v VARCHAR(10) CHARACTER SET latin1",
        "MODIFY v VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
        "MODIFY code VARCHAR(10) NOT NULL",
        "MODIFY g INT AS (n + 2) VIRTUAL",
        "ADD UNIQUE KEY (code)",
        "ADD UNIQUE KEY (n, code)"
      })
  void aNarrowingAlterFailsTheBackup(String alter) {
    assertThatThrownBy(() -> dumpAltering(alter))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("`z_small` was altered while it was being backed up");
  }

  /** What does not constrain the rows leaves the backup good: an index, a default. */
  @ParameterizedTest
  @ValueSource(strings = {"ADD KEY (code)", "ALTER COLUMN n SET DEFAULT 5"})
  void aChangeTheRowsDoNotDependOnKeepsTheBackup(String alter) throws Exception {
    assertThat(dumpAltering(alter)).isNotEmpty();
  }

  /**
   * A data-only backup reads a table's definition (for the restore's checks) when it reaches its
   * rows, which the snapshot keeps as they were: a unique key added meanwhile, once the duplicates
   * were deleted, would go with rows that break it.
   */
  @Test
  void aUniqueKeyTheSnapshotsRowsBreakFailsADataOnlyBackup() throws Exception {
    server.execute(source, "UPDATE z_small SET code = 'x' WHERE id = 2");
    assertThatThrownBy(
            () ->
                dumpAltering(
                    Features.parse("data"),
                    false,
                    "DELETE FROM z_small WHERE id = 2",
                    "ALTER TABLE z_small ADD UNIQUE KEY (code)"))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("`z_small` was altered while it was being backed up");
  }

  /** A backup of the source during which z_small is altered, once its definition is dumped. */
  private Map<String, byte[]> dumpAltering(String alter) throws Exception {
    return dumpAltering(Features.DEFAULT, false, "ALTER TABLE z_small " + alter);
  }

  /**
   * Altered once the snapshot has begun and before any definition is dumped: the dumped CREATE
   * TABLE has the unique key, the snapshot's rows break it.
   */
  @Test
  void aUniqueKeyAddedBeforeTheDefinitionsAreDumpedFailsTheBackup() throws Exception {
    server.execute(source, "UPDATE z_small SET code = 'x' WHERE id = 2");
    assertThatThrownBy(
            () ->
                dumpAltering(
                    Features.DEFAULT,
                    true,
                    "DELETE FROM z_small WHERE id = 2",
                    "ALTER TABLE z_small ADD UNIQUE KEY (code)"))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("`z_small` was altered while it was being backed up");
  }

  /**
   * A backup of the source that runs {@code statements} once its snapshot has begun ({@code
   * atStart}) or when it starts reading rows.
   */
  private Map<String, byte[]> dumpAltering(Features features, boolean atStart, String... statements)
      throws Exception {
    AtomicBoolean altered = new AtomicBoolean();
    // the data section starts with the big table; z_small's definition is already in the dump
    ProgressListener alterOnce =
        new ProgressListener() {
          @Override
          public void begin(long totalEstimatedRows) {
            if (atStart) {
              alter();
            }
          }

          @Override
          public void tableStarted(String table, long estimatedRows) {
            if (!atStart && table.equals("a_big")) {
              alter();
            }
          }

          private void alter() {
            if (altered.compareAndSet(false, true)) {
              try {
                server.execute(source, statements);
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            }
          }
        };
    Map<String, byte[]> dump =
        EngineFixture.dump(config(source, 2), "", features, 64 << 10, alterOnce);
    assertThat(altered).isTrue();
    return dump;
  }
}
