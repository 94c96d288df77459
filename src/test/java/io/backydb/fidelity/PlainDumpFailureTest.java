package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dump of another tool's (mariadb-dump's shape, with BackyDB's completion marker) has no
 * directives telling which feature and table its statements belong to: a restore that one of them
 * stops says what the failing statement itself is about, read from its text as the splitter hands
 * it over (mariadb-dump's executable comments and {@code DELIMITER ;;} included).
 */
class PlainDumpFailureTest {

  /**
   * mariadb-dump's session head, 2 statements on lines 1 and 2: with both checks off, MariaDB loads
   * an empty InnoDB table in bulk.
   */
  static final String SESSION =
      "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n"
          + "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n";

  /** mariadb-dump's definition of a table: 2 statements, on lines 3 to 8 after {@link #SESSION}. */
  static final String USERS =
      "DROP TABLE IF EXISTS `users`;\n"
          + "CREATE TABLE `users` (\n"
          + "  `id` int(11) NOT NULL,\n"
          + "  `email` varchar(50) DEFAULT NULL,\n"
          + "  PRIMARY KEY (`id`)\n"
          + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";

  /** A table with a row: 5 statements, on lines 1 to 9. */
  static final String HEAD = SESSION + USERS + "INSERT INTO `users` VALUES (1,'a@x');\n";

  static final String APPLIED =
      "; applied so far: the dump's first 5 statements (it has no BackyDB directives telling what"
          + " they hold)";

  @TempDir Path dir;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() {
    target = TestServer.uniqueName("pf_plain_dst");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(target);
  }

  /** Restores {@code sql}, a plain dump, into the target: the error it fails with. */
  private BackyException restoreFails(String sql) throws Exception {
    Path file = dir.resolve("backups").resolve("plain.sql");
    Files.createDirectories(file.getParent());
    Files.writeString(file, sql + "-- backy:complete\n");
    BackyException e =
        catchThrowableOfType(
            BackyException.class,
            () -> backy.restore(server.localRestoreConfig(target, file.toString())));
    assertThat(e).as("the restore fails").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.DATABASE);
    return e;
  }

  /** What ran before the failing statement is there, as the line says. */
  private void headWasApplied() throws Exception {
    assertThat(server.rows(target, "SELECT id, email FROM users")).containsExactly("1|a@x");
  }

  /**
   * Rows that break the table's primary key, loaded in bulk into the empty table: MariaDB reports
   * only a failure at COMMIT, and the line names the table, and so its one unique key.
   */
  @Test
  void aDuplicateRowNamesItsTableAndKey() throws Exception {
    BackyException e =
        restoreFails(
            SESSION
                + USERS
                + "LOCK TABLES `users` WRITE;\n"
                + "/*!40000 ALTER TABLE `users` DISABLE KEYS */;\n"
                + "INSERT INTO `users` VALUES (1,'a@x'),(1,'b@x');\n"
                + "/*!40000 ALTER TABLE `users` ENABLE KEYS */;\n"
                + "UNLOCK TABLES;\n");
    assertThat(e)
        .hasMessage(
            "restore failed at plain.sql line 11 (statement on table `users`): most likely a row"
                + " duplicates another in unique key `PRIMARY` of the table "
                + DuplicateRowsRestoreTest.AT_COMMIT
                + "; the backup's own rows break the table's key as its definition declares it:"
                + " remove the duplicates from the dump (or fix them in the source and back up"
                + " again), and restore again with --replace-existing; applied so far: the dump's"
                + " first 6 statements (it has no BackyDB directives telling what they hold)");
    assertThat(server.rows(target, "SELECT COUNT(*) FROM users")).containsExactly("0");
  }

  @Test
  void aViewOfAMissingTableIsNamed() throws Exception {
    BackyException e =
        restoreFails(
            HEAD
                + "/*!50001 DROP VIEW IF EXISTS `active_users`*/;\n"
                + "/*!50001 CREATE ALGORITHM=UNDEFINED */\n"
                + "/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n"
                + "/*!50001 VIEW `active_users` AS select `s`.`user_id` AS `id` from `sessions` `s`"
                + " */;\n");
    assertThat(e)
        .hasMessage(
            "restore failed at plain.sql line 11 (statement on view `active_users`): Table '"
                + target
                + ".sessions' doesn't exist"
                + "; applied so far: the dump's first 6 statements (it has no BackyDB directives"
                + " telling what they hold)");
    headWasApplied();
  }

  @Test
  void aTriggerWhoseBodyFailsIsNamed() throws Exception {
    BackyException e =
        restoreFails(
            HEAD
                + "DELIMITER ;;\n"
                + "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER"
                + " users_bi BEFORE INSERT ON users FOR EACH ROW\n"
                + "BEGIN\n"
                + "  SET NEW.nickname = LOWER(NEW.email);\n"
                + "END */;;\n"
                + "DELIMITER ;\n");
    assertThat(e)
        .hasMessage(
            "restore failed at plain.sql line 11 (statement on trigger `users_bi`): Unknown column"
                + " 'nickname' in 'NEW'"
                + APPLIED);
    headWasApplied();
  }

  @Test
  void aRoutineThatCannotBeCreatedIsNamed() throws Exception {
    BackyException e =
        restoreFails(
            HEAD
                + "DELIMITER ;;\n"
                + "CREATE DEFINER=`root`@`localhost` PROCEDURE `count_users`(OUT n INT)\n"
                + "BEGIN\n"
                + "  SELECT COUNT(*) INTO n FROM users\n"
                + "  SET n = n + 0;\n"
                + "END ;;\n"
                + "DELIMITER ;\n");
    assertThat(e)
        .hasMessageStartingWith(
            "restore failed at plain.sql line 11 (statement on procedure `count_users`): You have"
                + " an error in your SQL syntax")
        .hasMessageEndingWith(APPLIED);
    headWasApplied();
  }
}
