package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.UserWarnings;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Rows restored into existing tables (a restore of {@code --features data}) whose unique keys may
 * compare them otherwise than the backup's tables did: a key column in another collation is refused
 * before anything is applied, since rows the backup's key held apart ({@code 'a'} and {@code 'A'}
 * in {@code utf8mb4_bin}) would be duplicates in the target's and stop the restore half-way, the
 * table emptied, unless it is a binary one that tells apart all the backup's did (of the same
 * character set and pad attribute, or NO PAD); a unique key the backup's table lacks is warned of,
 * since only the rows can tell.
 */
class UniqueKeysRestoreTest {

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;
  ListAppender<ILoggingEvent> log = new ListAppender<>();
  Logger applierLog = (Logger) LoggerFactory.getLogger("io.backydb.engine.mysql.MySqlApplier");

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("uq_keys_src");
    target = TestServer.uniqueName("uq_keys_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE a_first (id INT PRIMARY KEY, v VARCHAR(10))",
        "CREATE TABLE tag (code VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY, n INT)",
        "CREATE TABLE pair (id INT PRIMARY KEY, k INT, s VARCHAR(10) COLLATE utf8mb4_bin,"
            + " note VARCHAR(10) COLLATE utf8mb4_bin, UNIQUE KEY ks (k, s))",
        "INSERT INTO a_first VALUES (1, 'one')",
        "INSERT INTO tag VALUES ('a', 1), ('A', 2)",
        "INSERT INTO pair VALUES (1, 1, 'x', 'n'), (2, 1, 'X', 'N')");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
    // the target: the same tables, restored from the backup
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    backy.restore(server.localRestoreConfig(target, full));
    log.start();
    applierLog.addAppender(log);
  }

  @AfterEach
  void tearDown() throws Exception {
    applierLog.detachAppender(log);
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  Map<String, Object> dataOnly(String location) {
    return Fidelity.replacingConfig(target, location, Map.of("features", Map.of("data", true)));
  }

  List<String> uniqueKeyWarnings() {
    return log.list.stream()
        .filter(e -> e.getMarkerList() != null && e.getMarkerList().contains(UserWarnings.STDERR))
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("unique keys"))
        .toList();
  }

  @Test
  void aUniqueKeyColumnInAnotherCollationIsRefusedBeforeAnythingIsApplied() throws Exception {
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    server.execute(
        target,
        "DELETE FROM tag WHERE code = 'A'",
        "DELETE FROM pair WHERE id = 2",
        "INSERT INTO a_first VALUES (2, 'target''s')",
        // 'a' and 'A' are one value in these collations
        "ALTER TABLE tag MODIFY code VARCHAR(10) COLLATE utf8mb4_general_ci",
        "ALTER TABLE pair MODIFY s VARCHAR(10) COLLATE utf8mb4_unicode_ci,"
            + " MODIFY note VARCHAR(10) COLLATE utf8mb4_general_ci");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(dataOnly(full)))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " does not have the columns of the backup's rows, and this restore creates no tables"
                + " (its features leave the table definitions out): table `pair` has column `s`"
                + " of collation utf8mb4_unicode_ci where the backup has utf8mb4_bin in unique key"
                + " `ks`, which may take as duplicates rows the backup's holds apart; table `tag`"
                + " has column `code` of collation utf8mb4_general_ci where the backup has"
                + " utf8mb4_bin in unique key `PRIMARY`, which may take as duplicates rows the"
                + " backup's holds apart; make its tables match the backup's, or restore table"
                + " definitions too; nothing was applied")
        .hasMessageNotContaining("\n");
    // not even the table before them was emptied
    assertThat(Fidelity.checksums(target)).isEqualTo(before);
    assertThat(server.rows(target, "SELECT id FROM a_first ORDER BY id")).containsExactly("1", "2");

    // in the backup's collations (the column outside any key may keep its own), the rows go in
    server.execute(
        target,
        "ALTER TABLE tag MODIFY code VARCHAR(10) COLLATE utf8mb4_bin",
        "ALTER TABLE pair MODIFY s VARCHAR(10) COLLATE utf8mb4_bin");
    backy.restore(dataOnly(full));
    assertThat(server.rows(target, "SELECT code, n FROM tag ORDER BY n"))
        .containsExactly("a|1", "A|2");
    assertThat(server.rows(target, "SELECT id, s, note FROM pair ORDER BY id"))
        .containsExactly("1|x|n", "2|X|N");
    assertThat(uniqueKeyWarnings()).isEmpty();
  }

  @Test
  void aUniqueKeyTheBackupsTableLacksIsWarnedOfBeforeTheFirstRow() throws Exception {
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    server.execute(
        target,
        // keys the backup's rows are known to hold: on a key of theirs and more, or a prefix of it
        "ALTER TABLE pair ADD UNIQUE KEY wider (s, id, k), ADD UNIQUE KEY part (id, note(3))",
        // keys only the rows can tell of
        "ALTER TABLE a_first ADD UNIQUE KEY by_v (v)",
        "ALTER TABLE tag ADD UNIQUE KEY by_n (n)");
    backy.restore(dataOnly(full));
    assertThat(uniqueKeyWarnings())
        .containsExactly(
            "restoring rows into existing tables with unique keys the backup's tables lack; a"
                + " duplicate among the rows would stop the restore at that table, after it was"
                + " emptied: `a_first` unique key `by_v` (`v`), `tag` unique key `by_n` (`n`)");
    assertThat(Fidelity.checksums(target).keySet()).containsExactly("a_first", "pair", "tag");
    assertThat(server.rows(target, "SELECT code, n FROM tag ORDER BY n"))
        .containsExactly("a|1", "A|2");

    // a backup of the rows alone tells its tables' keys too (its definitions, as information)
    log.list.clear();
    server.execute(target, "ALTER TABLE pair MODIFY note VARCHAR(10) COLLATE utf8mb4_general_ci");
    backy.restore(dataOnly(rowsOnly()));
    assertThat(uniqueKeyWarnings())
        .containsExactly(
            "restoring rows into existing tables with unique keys the backup's tables lack; a"
                + " duplicate among the rows would stop the restore at that table, after it was"
                + " emptied: `a_first` unique key `by_v` (`v`), `tag` unique key `by_n` (`n`)");
    assertThat(server.rows(target, "SELECT id, s, note FROM pair ORDER BY id"))
        .containsExactly("1|x|n", "2|X|N");
  }

  /**
   * A backup of a table {@code word} whose key {@code w} is of {@code collation} and holds {@code
   * values} (with {@code n}); the target's table, made the same, then has {@code w} in {@code
   * targetCollation} and a row of its own, {@code (targetValue, 9)}.
   */
  String wordBackup(String collation, String values, String targetCollation, String targetValue)
      throws Exception {
    String create =
        "CREATE TABLE word (w VARCHAR(10) COLLATE " + collation + " PRIMARY KEY, n INT)";
    server.execute(source, create, "INSERT INTO word VALUES " + values);
    server.execute(target, create);
    String full = backy.backup(Fidelity.backupConfig(source, false)).location();
    server.execute(
        target,
        "ALTER TABLE word MODIFY w VARCHAR(10) COLLATE " + targetCollation,
        "INSERT INTO word VALUES (" + targetValue + ", 9)");
    return full;
  }

  @Test
  void aUniqueKeyColumnInABinaryCollationOfTheSamePadTakesTheRows() throws Exception {
    // the backup's key is case-insensitive; utf8mb4_bin tells apart all it did, and more
    String full =
        wordBackup("utf8mb4_general_ci", "('a', 1), ('B', 2), ('c ', 3)", "utf8mb4_bin", "'A'");
    backy.restore(dataOnly(full));
    assertThat(server.rows(target, "SELECT w, n FROM word ORDER BY n"))
        .containsExactly("a|1", "B|2", "c |3");
    // NO PAD binary tells apart even what PAD SPACE took for one
    server.execute(target, "ALTER TABLE word MODIFY w VARCHAR(10) COLLATE utf8mb4_nopad_bin");
    backy.restore(dataOnly(full));
    assertThat(server.rows(target, "SELECT w, n FROM word ORDER BY n"))
        .containsExactly("a|1", "B|2", "c |3");
    assertThat(uniqueKeyWarnings()).isEmpty();
  }

  @Test
  void aBinaryCollationThatPadsWhereTheBackupsDidNotIsRefused() throws Exception {
    // 'a' and 'a ' are two values in utf8mb4_nopad_bin and one in utf8mb4_bin (PAD SPACE)
    String full = wordBackup("utf8mb4_nopad_bin", "('a', 1), ('a ', 2)", "utf8mb4_bin", "'b'");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(dataOnly(full)))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " (its features leave the table definitions out): table `word` has column `w` of"
                + " collation utf8mb4_bin where the backup has utf8mb4_nopad_bin in unique key"
                + " `PRIMARY`, which may take as duplicates rows the backup's holds apart; make"
                + " its tables match the backup's, or restore table definitions too; nothing was"
                + " applied");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);
  }

  /** A backup of {@code features: {data: true}}: the rows, and the definitions as information. */
  String rowsOnly() {
    return backy.backup(Fidelity.dataOnlyBackupConfig(source)).location();
  }

  @Test
  void aDataOnlyBackupsUniqueKeyColumnInAnotherCollationIsRefusedToo() throws Exception {
    String rowsOnly = rowsOnly();
    server.execute(
        target,
        "DELETE FROM tag WHERE code = 'A'",
        "INSERT INTO a_first VALUES (2, 'target''s')",
        "ALTER TABLE tag MODIFY code VARCHAR(10) COLLATE utf8mb4_general_ci");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(dataOnly(rowsOnly)))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " does not have the columns of the backup's rows, and this restore creates no tables"
                + " (its features leave the table definitions out): table `tag` has column `code`"
                + " of collation utf8mb4_general_ci where the backup has utf8mb4_bin in unique"
                + " key `PRIMARY`, which may take as duplicates rows the backup's holds apart;"
                + " make its tables match the backup's, or restore table definitions too; nothing"
                + " was applied")
        .hasMessageNotContaining("\n");
    assertThat(Fidelity.checksums(target)).isEqualTo(before);

    server.execute(target, "ALTER TABLE tag MODIFY code VARCHAR(10) COLLATE utf8mb4_bin");
    backy.restore(dataOnly(rowsOnly));
    assertThat(server.rows(target, "SELECT code, n FROM tag ORDER BY n"))
        .containsExactly("a|1", "A|2");
    assertThat(server.rows(target, "SELECT id FROM a_first")).containsExactly("1");
    assertThat(uniqueKeyWarnings()).isEmpty();
  }
}
