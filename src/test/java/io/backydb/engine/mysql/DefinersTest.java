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
}
