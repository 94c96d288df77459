package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SHOW GRANTS lines as MariaDB 10.11 and MySQL 8 write them. MySQL 8 is not on this machine, so its
 * lines are the documented forms: global privileges listed one by one, dynamic ones in a line of
 * their own, partial revokes.
 */
class AccountGrantsTest {

  private static AccountGrants grants(String... lines) {
    return AccountGrants.parse(List.of(lines), false);
  }

  @Test
  void allPrivilegesOnEverythingCoversEveryDatabaseAndTable() {
    AccountGrants g = grants("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION");
    assertThat(g.global("SELECT")).isTrue();
    assertThat(g.onDatabase("TRIGGER", "shop")).isTrue();
    assertThat(g.onTable("SELECT", "mysql", "proc")).isTrue();
  }

  @Test
  void databaseGrantsOfTheAccountItsRolesAndPublicCount() {
    AccountGrants g =
        grants(
            "GRANT `reader` TO `u`@`%`",
            "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*ABC'",
            "GRANT SELECT, SHOW VIEW ON `shop`.* TO `u`@`%`",
            "GRANT USAGE ON *.* TO `reader`",
            "GRANT EXECUTE, EVENT, TRIGGER ON `shop`.* TO `reader`",
            "GRANT SELECT ON `mysql`.`proc` TO `reader`",
            "GRANT ALTER ROUTINE ON `other`.* TO PUBLIC",
            "SET DEFAULT ROLE `reader` FOR `u`@`%`");
    assertThat(g.global("SELECT")).isFalse();
    assertThat(g.onDatabase("SELECT", "shop")).isTrue();
    assertThat(g.onDatabase("SHOW VIEW", "shop")).isTrue();
    assertThat(g.onDatabase("TRIGGER", "shop")).isTrue();
    assertThat(g.onDatabase("EVENT", "shop")).isTrue();
    assertThat(g.onDatabase("ALTER ROUTINE", "other")).isTrue();
    assertThat(g.onDatabase("ALTER ROUTINE", "shop")).isFalse();
    assertThat(g.onTable("SELECT", "mysql", "proc")).isTrue();
    assertThat(g.onTable("SELECT", "mysql", "user")).isFalse();
    assertThat(g.onDatabase("SELECT", "shop2")).isFalse();
  }

  @Test
  void tableGrantsCoverTheirTableOnlyAndColumnGrantsNothing() {
    AccountGrants g =
        grants(
            "GRANT SELECT, TRIGGER ON `shop`.`customers` TO `u`@`%`",
            "GRANT SELECT (`id`, `a, b ON c`), TRIGGER ON TABLE `shop`.`orders` TO `u`@`%`",
            "GRANT EXECUTE ON FUNCTION `shop`.`f` TO `u`@`%`",
            "GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `shop`.`p` TO `u`@`%`");
    assertThat(g.onDatabase("SELECT", "shop")).isFalse();
    assertThat(g.onTable("SELECT", "shop", "customers")).isTrue();
    assertThat(g.onTable("TRIGGER", "shop", "customers")).isTrue();
    assertThat(g.onTable("SELECT", "shop", "orders")).as("columns only").isFalse();
    assertThat(g.onTable("TRIGGER", "shop", "orders")).isTrue();
    assertThat(g.onTable("SELECT", "shop", "items")).isFalse();
    assertThat(g.onDatabase("EXECUTE", "shop")).as("one routine only").isFalse();
  }

  @Test
  void aDatabaseNameInAGrantIsALikePattern() {
    AccountGrants g =
        grants(
            "GRANT SELECT ON `shop\\_%`.* TO `u`@`%`",
            "GRANT TRIGGER ON `s_op`.* TO `u`@`%`", "GRANT EVENT ON `we``ird`.* TO `u`@`%`");
    assertThat(g.onDatabase("SELECT", "shop_eu")).isTrue();
    assertThat(g.onDatabase("SELECT", "shop_")).isTrue();
    assertThat(g.onDatabase("SELECT", "shopXeu")).as("escaped _ is literal").isFalse();
    assertThat(g.onDatabase("TRIGGER", "shop")).isTrue();
    assertThat(g.onDatabase("TRIGGER", "shoop")).isFalse();
    assertThat(g.onDatabase("EVENT", "we`ird")).isTrue();
    assertThat(g.onDatabase("SELECT", "Shop_eu")).as("case matters").isFalse();
    assertThat(
            AccountGrants.parse(List.of("GRANT SELECT ON `shop`.* TO `u`@`%`"), true)
                .onDatabase("SELECT", "Shop"))
        .as("lower_case_table_names")
        .isTrue();
  }

  @Test
  void mySqlGlobalAndDynamicPrivilegesAndPartialRevokes() {
    AccountGrants g =
        grants(
            "GRANT SELECT, INSERT, TRIGGER, EVENT ON *.* TO `backup`@`%`",
            "GRANT BACKUP_ADMIN,SHOW_ROUTINE ON *.* TO `backup`@`%`",
            "REVOKE TRIGGER ON `secret`.* FROM `backup`@`%`",
            "GRANT `r1`@`%`,`r2`@`%` TO `backup`@`%`");
    assertThat(g.global("SHOW_ROUTINE")).isTrue();
    assertThat(g.onDatabase("TRIGGER", "shop")).isTrue();
    assertThat(g.onDatabase("TRIGGER", "secret")).as("revoked there").isFalse();
    assertThat(g.onTable("TRIGGER", "secret", "t")).isFalse();
    assertThat(g.onDatabase("EVENT", "secret")).isTrue();
  }

  @Test
  void namesInDoubleQuotesUnderAnsiQuotesAndLinesNotUnderstoodGiveNothing() {
    AccountGrants g =
        grants(
            "GRANT TRIGGER ON \"shop\".* TO \"u\"@\"%\"",
            "GRANT PROXY ON ''@'%' TO 'u'@'%' WITH GRANT OPTION",
            "GRANT SELECT ON",
            "something else entirely");
    assertThat(g.onDatabase("TRIGGER", "shop")).isTrue();
    assertThat(g.onDatabase("SELECT", "shop")).isFalse();
    assertThat(g.global("PROXY")).isFalse();
  }
}
