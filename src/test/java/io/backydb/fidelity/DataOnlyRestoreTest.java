package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restoring rows without their table definitions (a backup of {@code features: {data: true}}, or a
 * restore of {@code --features data}) over a database that has the tables: with {@code
 * replace_existing} each table ends up with exactly the backup's rows, however often it is run.
 */
class DataOnlyRestoreTest {

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("dataonly_src");
    target = TestServer.uniqueName("dataonly_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(20))",
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT,"
            + " FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE)",
        // no primary key: its rows go to one connection in dump order, and duplicates are allowed
        "CREATE TABLE log (msg VARCHAR(20))",
        "CREATE TABLE emptied (id INT PRIMARY KEY)",
        "CREATE TABLE versioned (id INT PRIMARY KEY, v INT) WITH SYSTEM VERSIONING",
        "CREATE SEQUENCE seq",
        "INSERT INTO parent VALUES (1, 'one'), (2, 'two')",
        "INSERT INTO child VALUES (10, 1), (20, 2)",
        "INSERT INTO log VALUES ('x')",
        "INSERT INTO versioned VALUES (1, 1)",
        "UPDATE versioned SET v = 2",
        "DO NEXTVAL(seq)");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
    // the target: the same tables, restored from a full backup, then changed
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    backy.restore(server.localRestoreConfig(target, full));
    server.execute(
        target,
        "SET FOREIGN_KEY_CHECKS = 0",
        "DELETE FROM parent WHERE id = 2",
        "INSERT INTO parent VALUES (3, 'three')",
        "INSERT INTO child VALUES (30, 3)",
        "INSERT INTO log VALUES ('y'), ('x')",
        "INSERT INTO emptied VALUES (5)",
        "UPDATE versioned SET v = 3",
        "INSERT INTO versioned VALUES (2, 1)",
        "DO NEXTVAL(seq)",
        "DO NEXTVAL(seq)");
    assertThat(Fidelity.checksums(target)).isNotEqualTo(Fidelity.checksums(source));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  /** A backup of the source's rows only. */
  String dataOnlyBackup() {
    return backy.backup(Fidelity.dataOnlyBackupConfig(source)).location();
  }

  Map<String, Object> replacing(String location, Map<String, Object> databaseExtras) {
    return Fidelity.replacingConfig(target, location, databaseExtras);
  }

  @Test
  void aDataOnlyBackupReplacesEachTablesRowsAndCanBeRestoredAgain() throws Exception {
    String location = dataOnlyBackup();
    for (int run = 1; run <= 2; run++) {
      // the target's tables have no triggers: none to warn of
      assertThat(
              backy.restore(replacing(location, Map.of("threads", 2))).summary().insertTriggers())
          .isEmpty();
      assertThat(Fidelity.checksums(target))
          .as("after restore %d", run)
          .isEqualTo(Fidelity.checksums(source));
    }
  }

  @Test
  void aRestoreOfTheDataFeatureOfAFullBackupReplacesTheRowsToo() throws Exception {
    String full = backy.backup(Fidelity.backupConfig(source, true)).location();
    backy.restore(replacing(full, Map.of("features", Map.of("data", true))));
    assertThat(Fidelity.checksums(target)).isEqualTo(Fidelity.checksums(source));
  }

  @Test
  void aTableTheTargetLacksIsRefusedBeforeAnythingIsApplied() throws Exception {
    String location = dataOnlyBackup();
    server.execute(target, "DROP TABLE log");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(replacing(location, Map.of())))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageContaining("has no table `log`")
        .hasMessageContaining("nothing was applied")
        .hasMessageNotContaining("\n");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);
  }

  @Test
  void tablesWithOtherColumnsThanTheBackupsRowsAreRefusedBeforeAnythingIsApplied()
      throws Exception {
    String location = dataOnlyBackup();
    server.execute(
        target,
        "ALTER TABLE log CHANGE msg message VARCHAR(20)",
        "ALTER TABLE child ADD COLUMN note VARCHAR(5)",
        "ALTER TABLE parent DROP COLUMN name,"
            + " ADD COLUMN name VARCHAR(20) AS (CONCAT('p', id)) VIRTUAL",
        // differences that do not matter to the rows: a name's case, the order, a generated column
        "ALTER TABLE emptied CHANGE id ID INT, ADD COLUMN g INT AS (ID + 1) VIRTUAL FIRST");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(replacing(location, Map.of())))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " does not have the columns of the backup's rows, and this restore creates no tables"
                + " (the backup holds no CREATE TABLE statements): table `child` has column `note` that"
                + " the backup's rows do not fill; table `log` lacks column `msg` that the"
                + " backup's rows fill and has column `message` that the backup's rows do not"
                + " fill; table `parent` generates column `name` that the backup's rows fill;"
                + " make its tables match the backup's, or restore table definitions too; nothing"
                + " was applied")
        .hasMessageNotContaining("\n");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);

    // the same of a full backup's data: the rows go into the tables as they are there too
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    assertThatThrownBy(
            () -> backy.restore(replacing(full, Map.of("features", Map.of("data", true)))))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("(its features leave the table definitions out): table `child`");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);

    // with the columns the rows fill, the rest does not stand in the way
    server.execute(
        target,
        "ALTER TABLE log CHANGE message msg VARCHAR(20)",
        "ALTER TABLE child DROP COLUMN note",
        "ALTER TABLE parent DROP COLUMN name, ADD COLUMN name VARCHAR(20)");
    backy.restore(replacing(location, Map.of()));
    Map<String, String> restored = Fidelity.checksums(target);
    Map<String, String> expected = Fidelity.checksums(source);
    // emptied differs in shape (its generated column), and has the backup's no rows
    assertThat(restored.remove("emptied")).contains(" 0/");
    expected.remove("emptied");
    assertThat(restored).isEqualTo(expected);
  }

  @Test
  void columnsOfTypesThatWouldChangeTheBackupsValuesAreRefusedBeforeAnythingIsApplied()
      throws Exception {
    // the backup's definitions tell the types of its rows
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    server.execute(
        target,
        "SET SESSION sql_mode = ''", // the target's own names become numbers
        "SET SESSION system_versioning_alter_history = KEEP",
        "ALTER TABLE parent MODIFY name INT",
        "ALTER TABLE log MODIFY msg VARCHAR(10) CHARACTER SET latin1",
        "ALTER TABLE versioned MODIFY v INT NOT NULL",
        // differences that change no value: a wider integer, a display width, a comment, a default
        "ALTER TABLE child MODIFY id BIGINT NOT NULL DEFAULT 7",
        "ALTER TABLE emptied MODIFY id INT(5) NOT NULL COMMENT 'the key'");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(
            () -> backy.restore(replacing(full, Map.of("features", Map.of("data", true)))))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " does not have the columns of the backup's rows, and this restore creates no tables"
                + " (its features leave the table definitions out): table `log` has column `msg`"
                + " of type varchar(10) CHARACTER SET latin1 where the backup has varchar(20)"
                + " CHARACTER SET utf8mb4; table `parent` has column `name` of type int(11) where"
                + " the backup has varchar(20); table `versioned` has column `v` of type int(11)"
                + " NOT NULL where the backup has int(11) NULL; make its tables match the"
                + " backup's, or restore table definitions too; nothing was applied")
        .hasMessageNotContaining("\n");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);

    // wider columns take the values as they are
    server.execute(
        target,
        "SET SESSION system_versioning_alter_history = KEEP",
        "ALTER TABLE parent MODIFY name VARCHAR(40)",
        "ALTER TABLE log MODIFY msg VARCHAR(30) CHARACTER SET utf8mb4",
        "ALTER TABLE versioned MODIFY v BIGINT");
    backy.restore(replacing(full, Map.of("features", Map.of("data", true))));
    assertThat(server.rows(target, "SELECT id, name FROM parent ORDER BY id"))
        .containsExactly("1|one", "2|two");
    assertThat(server.rows(target, "SELECT id, parent_id FROM child ORDER BY id"))
        .containsExactly("10|1", "20|2");
    assertThat(server.rows(target, "SELECT msg FROM log")).containsExactly("x");
    assertThat(server.rows(target, "SELECT id, v FROM versioned ORDER BY id"))
        .containsExactly("1|2");
  }

  @Test
  void aDataOnlyRestoreIntoADatabaseWithoutTheTablesIsRefusedBeforeItIsCreated() throws Exception {
    String location = dataOnlyBackup();
    String fresh = TestServer.uniqueName("dataonly_fresh");
    try {
      // it says the database is missing, not each of its tables
      assertThatThrownBy(() -> backy.restore(Fidelity.restoreConfig(fresh, location, Map.of())))
          .isInstanceOf(BackyException.class)
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessage(
              "database '"
                  + fresh
                  + "' does not exist on root@"
                  + server.host()
                  + ":"
                  + server.port()
                  + ", and this restore creates no tables (the backup holds no CREATE"
                  + " TABLE statements) for the backup's rows or triggers of `child`, `emptied`, `log`,"
                  + " `parent`, `seq`, `versioned`: create the database and its tables, or restore"
                  + " table definitions too; nothing was applied");
      assertThat(server.databaseExists(fresh)).isFalse();
    } finally {
      server.dropDatabase(fresh);
    }
  }
}
