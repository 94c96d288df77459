package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore stopped by rows that duplicate one another in a unique key of their table says so, in
 * its one error line, with what to do: MariaDB, loading an empty InnoDB table in bulk (the dump
 * turns unique checks off), reports such a duplicate only at COMMIT and as {@code Got error 1
 * "Operation not permitted" during COMMIT}, naming neither row nor key.
 */
class DuplicateRowsRestoreTest {

  static final String AT_COMMIT =
      "(the server reports only a failure at COMMIT: Got error 1 \"Operation not permitted\""
          + " during COMMIT)";

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("dk_dup_src");
    target = TestServer.uniqueName("dk_dup_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE a_first (id INT PRIMARY KEY, v VARCHAR(10))",
        "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(50))",
        "INSERT INTO a_first VALUES (1, 'one')",
        // two users share an email
        "INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x')");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  /** The target: a copy of the source whose users have a unique key on their email. */
  private String backUpIntoTargetWithUniqueEmails() throws Exception {
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    backy.restore(server.localRestoreConfig(target, full));
    server.execute(
        target,
        "DELETE FROM users WHERE id IN (2, 150000)",
        "ALTER TABLE users ADD UNIQUE KEY by_email (email)");
    return full;
  }

  private Map<String, Object> dataOnly(String location, int threads) {
    Map<String, Object> config =
        new LinkedHashMap<>(
            Fidelity.restoreConfig(
                target, location, Map.of("features", Map.of("data", true), "threads", threads)));
    config.put("replace_existing", true);
    return config;
  }

  private static String file(String location) {
    return Path.of(location).getFileName().toString();
  }

  @Test
  void rowsThatBreakAUniqueKeyTheBackupsTableLacksSayWhichAndWhatToDo() throws Exception {
    String full = backUpIntoTargetWithUniqueEmails();
    assertThatThrownBy(() -> backy.restore(dataOnly(full, 1)))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.DATABASE))
        .hasMessageMatching(
            "restore failed at "
                + Pattern.quote(file(full))
                + " line \\d+ "
                + Pattern.quote(
                    "(data of table `users`): most likely a row duplicates another in a unique key of the"
                        + " table, presumably `by_email`, which the backup's table lacks "
                        + AT_COMMIT
                        + "; drop unique key `by_email` from the table or fix the rows (in the"
                        + " source, then back up again), and restore again with"
                        + " --replace-existing; applied so far: data (data in part)"));
    // as said: the table before it has the backup's rows, this one none
    assertThat(server.rows(target, "SELECT id, v FROM a_first")).containsExactly("1|one");
    assertThat(server.rows(target, "SELECT id FROM users")).isEmpty();

    // the remedy it names works
    server.execute(target, "ALTER TABLE users DROP KEY by_email");
    backy.restore(dataOnly(full, 1));
    assertThat(server.rows(target, "SELECT id, email FROM users ORDER BY id"))
        .containsExactly("1|a@x", "2|a@x", "3|b@x");
  }

  /**
   * A big table's rows go to several lanes, most as LOAD DATA: the duplicate is found at COMMIT of
   * the first rows into the empty table, or (once other rows are in) reported by the server with
   * its key; either way the line says what happened.
   */
  @Test
  void aDuplicateAmongABigTablesRowsOnSeveralLanesSaysWhichKeyAndWhatToDo() throws Exception {
    server.execute(
        source,
        "INSERT INTO users SELECT seq, CONCAT('u', seq, '@x') FROM seq_4_to_150000",
        "UPDATE users SET email = 'u4@x' WHERE id = 150000");
    String full = backUpIntoTargetWithUniqueEmails();
    assertThatThrownBy(() -> backy.restore(dataOnly(full, 2)))
        .isInstanceOf(BackyException.class)
        .hasMessageMatching(
            "restore failed at "
                + Pattern.quote(file(full))
                + " line \\d+ \\(data of table `users`\\): ("
                + Pattern.quote(
                    "a row duplicates another in unique key `by_email` of the table, which the"
                        + " backup's table lacks")
                + " \\(Duplicate entry '(a|u4)@x' for key 'by_email'\\)|"
                + Pattern.quote(
                    "most likely a row duplicates another in a unique key of the table,"
                        + " presumably `by_email`, which the backup's table"
                        + " lacks "
                        + AT_COMMIT)
                + ")"
                + Pattern.quote(
                    "; drop unique key `by_email` from the table or fix the rows (in the source,"
                        + " then back up again), and restore again with --replace-existing;"
                        + " applied so far: data (data in part)"));
  }

  /**
   * A backup's rows that break the backup's own primary key (a dump edited by hand) stop a restore
   * that creates the table: the table's one unique key is named, and the fix is in the dump.
   */
  @Test
  void rowsThatBreakTheBackupsOwnPrimaryKeyNameItAndTheFixIsInTheDump() throws Exception {
    server.execute(
        source,
        // BIT: loaded by its INSERT, not LOAD DATA
        "CREATE TABLE flags (id INT PRIMARY KEY, on_off BIT(1))",
        "INSERT INTO flags VALUES (1, 1), (2, 0)");
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    Path file = Path.of(full);
    Files.delete(file.resolveSibling(file(full).replaceAll("\\.sql$", ".metadata.json")));
    String dump = Files.readString(file);
    assertThat(dump).contains("(2,b'00000000')");
    Files.writeString(file, dump.replace("(2,b'00000000')", "(1,b'00000000')"));

    assertThatThrownBy(() -> backy.restore(server.localRestoreConfig(target, full)))
        .isInstanceOf(BackyException.class)
        .hasMessageMatching(
            "restore failed at "
                + Pattern.quote(file(full))
                + " line \\d+ "
                + Pattern.quote(
                    "(data of table `flags`): most likely a row duplicates another in unique key"
                        + " `PRIMARY` of"
                        + " the table "
                        + AT_COMMIT
                        + "; the backup's own rows break the table's key as its definition"
                        + " declares it: remove the duplicates from the dump (or fix them in the"
                        + " source and back up again), and restore again with"
                        + " --replace-existing; applied so far: tables, data (data in part)"));
  }
}
