package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.config.DatabaseConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefinersTest {

  private static Definers definers(String policy, String definer) {
    return Definers.of(
        new DatabaseConfig("h", 3306, "u", "db", false, null, null).withDefiners(policy, definer));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "CREATE DEFINER=`root`@`localhost` FUNCTION `f`() RETURNS int RETURN 1"
            + "|CREATE FUNCTION `f`() RETURNS int RETURN 1"
            + "|CREATE DEFINER=`app`@`%` FUNCTION `f`() RETURNS int RETURN 1",
        "CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`h` SQL SECURITY DEFINER VIEW `v` AS select 1"
            + "|CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1"
            + "|CREATE ALGORITHM=UNDEFINED DEFINER=`app`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1",
        "CREATE DEFINER=\"root\"@\"127.0.0.1\" FUNCTION \"f\"() RETURNS int RETURN 1"
            + "|CREATE FUNCTION \"f\"() RETURNS int RETURN 1"
            + "|CREATE DEFINER=`app`@`%` FUNCTION \"f\"() RETURNS int RETURN 1",
        "CREATE DEFINER=`role1` TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 'DEFINER=`z`@`y` '"
            + "|CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 'DEFINER=`z`@`y` '"
            + "|CREATE DEFINER=`app`@`%` TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 'DEFINER=`z`@`y` '",
        "CREATE TABLE t (a int)|CREATE TABLE t (a int)|CREATE TABLE t (a int)"
      })
  void dropsOrRewritesOnlyTheHeadClause(String ddl, String dropped, String rewritten) {
    assertThat(definers("keep", null).apply(ddl)).isEqualTo(ddl);
    assertThat(definers("drop", null).apply(ddl)).isEqualTo(dropped);
    assertThat(definers("rewrite", "app@'%'").apply(ddl)).isEqualTo(rewritten);
    assertThat(definers("rewrite", "`app`@`%`").apply(ddl)).isEqualTo(rewritten);
  }

  @ParameterizedTest
  @CsvSource({"sometimes,", "rewrite,", "rewrite,nobody"})
  void refusesAnUnknownPolicyOrARewriteWithoutUserAtHost(String policy, String definer) {
    assertThatThrownBy(() -> definers(policy, definer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database.definer");
  }

  /** The definer a restore gives each object, for the privilege that takes (RestorePrivileges). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "CREATE DEFINER=`root`@`localhost` PROCEDURE `p`() SELECT 1|root@localhost",
        "CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`h` SQL SECURITY DEFINER VIEW `v` AS select 1|a`b@h",
        "CREATE DEFINER=`role1` TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1|role1",
        "CREATE DEFINER=CURRENT_USER EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1|",
        "CREATE PROCEDURE `p`() SELECT 1|",
      })
  void theDefinerEachPolicyGivesAnObject(String ddl, String kept) {
    String dumped = Definers.definerOf(ddl);
    assertThat(definers("keep", null).effective(dumped)).isEqualTo(kept);
    assertThat(definers("drop", null).effective(dumped)).isNull();
    assertThat(definers("rewrite", "app@'%'").effective(dumped)).isEqualTo("app@%");
  }
}
