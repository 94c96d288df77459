package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The objects a view reads, from SHOW CREATE VIEW's text as MariaDB writes it. */
class ViewReferencesTest {

  private static final String HEAD =
      "CREATE ALGORITHM=UNDEFINED DEFINER=`v`@`%` SQL SECURITY DEFINER VIEW `v` AS ";

  @Test
  void theTablesAndViewsOfAJoinAndASubqueryAreRead() {
    assertThat(
            ViewReferences.of(
                "v",
                HEAD
                    + "select `a`.`id` AS `id` from (`a` join `b` on(`a`.`id` = `b`.`id`))"
                    + " where `a`.`id` in (select `w`.`id` from `w`)"))
        .containsExactly("a", "b", "w");
  }

  @Test
  void aliasesColumnsFunctionsStringsAndOtherDatabasesAreNotObjectsRead() {
    assertThat(
            ViewReferences.of(
                "v",
                HEAD
                    + "select `x`.`b` AS `c`,'`d`' AS `label`,\"`e`\" AS `f`,`g`(`x`.`id`) AS `h`"
                    + " from (`a` `x` join `other`.`i` `j`) join (select 1 AS `k`) `l`"))
        .containsExactly("a");
  }

  @Test
  void aQuotedNameWithABacktickAndTheWordAsInOtherCasesAreRead() {
    assertThat(
            ViewReferences.of(
                "v", HEAD + "select `t``q`.`id` as `id`, `s`.`n` As `n` from `t``q` join `s`"))
        .containsExactly("s", "t`q");
  }

  @Test
  void aDumpsCreateViewStatementIsReadAfterItsHead() {
    assertThat(
            ViewReferences.ofCreate(
                "CREATE ALGORITHM=UNDEFINED DEFINER=`VIEW `` AS`@`%` SQL SECURITY DEFINER"
                    + " VIEW `v``w` AS select `a`.`id` AS `id` from `a` where `a`.`id` > 1"))
        .containsExactly("a");
    assertThat(
            ViewReferences.ofCreate(
                "CREATE VIEW `v` (`x`, `y`) AS select 1 AS `x`, `b`.`y` from `b`"))
        .containsExactly("b");
    assertThat(ViewReferences.ofCreate("CREATE TABLE `t` (`a` int)")).isEmpty();
  }
}
