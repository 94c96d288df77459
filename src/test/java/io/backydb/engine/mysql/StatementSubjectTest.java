package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a statement is about, in the forms mariadb-dump, mysqldump, BackyDB and users write them
 * (each as the splitter hands it over: executable comments kept, the delimiter gone).
 */
class StatementSubjectTest {

  @ParameterizedTest(name = "{index} {arguments}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      nullValues = "none",
      textBlock =
          """
          INSERT INTO `users` VALUES (1,'a'),(2,'b') | table `users`
          insert ignore into users (id) values (1) | table `users`
          INSERT `users` VALUES (1) | table `users`
          REPLACE INTO `a``b` VALUES (1) | table `a``b`
          INSERT INTO `shop`.`orders` VALUES (1) | table `orders`
          INSERT INTO shop . orders VALUES (1) | table `orders`
          LOAD DATA LOCAL INFILE 'x INTO TABLE `no`' INTO TABLE `users` FIELDS TERMINATED BY ',' | table `users`
          DROP TABLE IF EXISTS `users` | table `users`
          CREATE TABLE `users` (`id` int(11) NOT NULL, `into` int) ENGINE=InnoDB | table `users`
          CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS t2 (a int) | table `t2`
          /*!40000 ALTER TABLE `users` DISABLE KEYS */ | table `users`
          LOCK TABLES `users` WRITE | table `users`
          TRUNCATE TABLE `b` | table `b`
          DELETE FROM `b` | table `b`
          /*!50001 DROP VIEW IF EXISTS `v`*/ | view `v`
          /*!50001 CREATE VIEW `v` AS SELECT 1 AS `id` */ | view `v`
          /*!50001 CREATE ALGORITHM=UNDEFINED */\\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\\n/*!50001 VIEW `v` AS select `t`.`id` AS `id` from `t` */ | view `v`
          ALTER DEFINER=`table`@`%` VIEW v2 AS SELECT 1 FROM `t` | view `v2`
          /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW\\nBEGIN\\n  INSERT INTO audit(msg) VALUES (1);\\nEND\\n*/ | trigger `t_ai`
          CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p_count`(OUT n INT)\\nBEGIN\\n  SELECT COUNT(*) INTO n FROM t;\\nEND | procedure `p_count`
          /*!50003 DROP FUNCTION IF EXISTS `f` */ | function `f`
          CREATE DEFINER=`u`@`h` FUNCTION `f`(a INT) RETURNS int(11) RETURN a | function `f`
          /*!50106 CREATE*/ /*!50117 DEFINER=`root`@`localhost`*/ /*!50106 EVENT `e` ON SCHEDULE EVERY 1 DAY DO DELETE FROM t */ | event `e`
          CREATE SEQUENCE `s` start with 1 | sequence `s`
          -- a comment\\nCREATE /* TABLE x */ VIEW `v` AS SELECT 1 | view `v`
          /*!40101 SET NAMES utf8mb4 */ | none
          SET @saved_cs_client = @@character_set_client | none
          CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */ | none
          USE `shop` | none
          SELECT 'INSERT INTO `x`' | none
          UNLOCK TABLES | none
          INSERT INTO `unterminated | none
          """)
  void namesWhatTheStatementIsAbout(String sql, String subject) {
    StatementSubject s = StatementSubject.of(sql.replace("\\n", "\n"));
    assertThat(s == null ? null : s.toString()).isEqualTo(subject);
  }

  @Test
  void tellsTheVerbAndWhetherItIsATable() {
    StatementSubject create = StatementSubject.of("CREATE TABLE `t` (a int)");
    assertThat(create.verb()).isEqualTo("CREATE");
    assertThat(create.table()).isEqualTo("t");
    StatementSubject view = StatementSubject.of("/*!50001 create view `v` AS SELECT 1 */");
    assertThat(view.verb()).isEqualTo("CREATE");
    assertThat(view.table()).isNull();
    assertThat(StatementSubject.of("replace into t values (1)").verb()).isEqualTo("REPLACE");
  }

  /** A dump's statement is read as raw bytes: its name is decoded from UTF-8. */
  @Test
  void decodesTheNameOfARawStatement() {
    String raw =
        new String(
            "INSERT INTO `café` VALUES (1)".getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1);
    assertThat(StatementSubject.ofRaw(raw).toString()).isEqualTo("table `café`");
    assertThat(StatementSubject.ofRaw("SET NAMES utf8mb4")).isNull();
  }

  /** Only the head is read: a huge statement costs no more than a short one. */
  @Test
  void readsOnlyTheHeadOfAHugeStatement() {
    String huge = "INSERT INTO `big` VALUES " + "(1),".repeat(1_000_000) + "(2)";
    assertThat(StatementSubject.of(huge).toString()).isEqualTo("table `big`");
  }
}
