package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.engine.DumpContents.ObjectName;
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
    ViewReferences.Definition d =
        ViewReferences.definitionOf(
            "CREATE ALGORITHM=UNDEFINED DEFINER=`VIEW `` AS`@`%` SQL SECURITY DEFINER"
                + " VIEW `v``w` AS select `a`.`id` AS `id` from `a` where `a`.`id` > 1");
    assertThat(d.view()).isEqualTo("v`w");
    assertThat(ViewReferences.read(d.query())).containsExactly("a");
    d =
        ViewReferences.definitionOf(
            "CREATE VIEW `v` (`x`, `y`) AS select 1 AS `x`, `b`.`y` from `b`");
    assertThat(d.view()).isEqualTo("v");
    assertThat(ViewReferences.read(d.query())).containsExactly("b");
    assertThat(ViewReferences.definitionOf("CREATE TABLE `t` (`a` int)")).isNull();
  }

  /**
   * The objects of other databases stand in FROM and JOIN positions as {@code `db`.`t`}, told apart
   * from {@code `alias`.`col`} and {@code `db`.`t`.`col`} columns, which stand elsewhere (SHOW
   * CREATE VIEW's text of MariaDB 10.11, the own database's qualifier removed).
   */
  @Test
  void theObjectsOfOtherDatabasesAreReadFromFromAndJoin() {
    assertThat(
            ViewReferences.otherDatabases(
                "select `x`.`name` AS `name`,`c`.`id` AS `id`,`o`.`t`.`id` AS `i`"
                    + " from ((`o`.`t` `x` join `c` on(`c`.`id` = `x`.`id`))"
                    + " left join `p`.`u``v` on(`p`.`u``v`.`id` = `c`.`id`))"
                    + " where `x`.`id` in (select `q`.`w`.`id` from `q`.`w`)"
                    + " and `r`.`f`(`c`.`id`) > 0 and 'from `s`.`t`' <> `c`.`from`"))
        .containsExactly(
            new ObjectName("o", "t"), new ObjectName("p", "u`v"), new ObjectName("q", "w"));
    assertThat(
            ViewReferences.otherDatabases(
                "with `w` as (select `o`.`u`.`id` AS `id` from `o`.`u`)select `w`.`id` AS `id`"
                    + " from (`w` join `o`.`t` on(`o`.`t`.`id` = `w`.`id`))"
                    + " join (select 1 AS `k`) `d`"))
        .containsExactly(new ObjectName("o", "t"), new ObjectName("o", "u"));
    assertThat(ViewReferences.otherDatabases("select `a`.`b` AS `c` from `a`")).isEmpty();
  }
}
