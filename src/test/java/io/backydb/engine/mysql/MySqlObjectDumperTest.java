package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MySqlObjectDumperTest {

  @Test
  void unqualifyRemovesOwnDatabaseOutsideStringsOnly() {
    String ddl =
        "CREATE VIEW `v` AS select `qq`.`a`.`id` AS `id`,'`qq`.x' AS `s`,`qq``x`.`y`"
            + " from `qq`.`a` join `other`.`b` where `qq`.`a`.`n` = 'it''s `qq`.' and \"`qq`.\" = 1";
    assertThat(MySqlObjectDumper.unqualify(ddl, "qq"))
        .isEqualTo(
            "CREATE VIEW `v` AS select `a`.`id` AS `id`,'`qq`.x' AS `s`,`qq``x`.`y`"
                + " from `a` join `other`.`b` where `a`.`n` = 'it''s `qq`.' and \"`qq`.\" = 1");
  }

  @Test
  void delimiterAvoidsTextInTheBody() {
    assertThat(MySqlObjectDumper.delimiterFor("BEGIN SELECT 1; END")).isEqualTo(";;");
    assertThat(MySqlObjectDumper.delimiterFor("BEGIN SELECT ';;'; END")).isEqualTo("$$");
    assertThat(MySqlObjectDumper.delimiterFor(";; $$ //")).isEqualTo(";;1;;");
  }
}
