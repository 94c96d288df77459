package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What of a statement's text {@link BareSql} blanks, and that it keeps every position. */
class BareSqlTest {

  private static void blanks(String sql, String bare) {
    assertThat(BareSql.of(sql)).isEqualTo(bare).hasSameSizeAs(sql);
  }

  @Test
  void quotedStringsAndNamesAreBlanked() {
    blanks("a 'b' `c` \"d\" e", "a" + " ".repeat(13) + "e");
    blanks("a 'b\\'c''d' e", "a           e");
    blanks("a `b``c` d", "a        d");
    // a quote inside a comment starts nothing
    blanks("a /* it's */ b", "a            b");
  }

  @Test
  void commentsAreBlankedToTheirEnd() {
    blanks("a /* b */ c", "a         c");
    blanks("a -- b\nc", "a     \nc");
    blanks("a # b\nc", "a    \nc");
    blanks("a -- b", "a     ");
    // -- without a space is not a comment (a minus of a minus)
    blanks("a --b", "a --b");
    // a comment mark inside quotes is not one
    blanks("'#' a '--' b '/*' c", "    a      b      c");
  }

  @Test
  void theTextOfAnExecutableCommentIsKept() {
    blanks("/*!40101 SET x */ y", "         SET x    y");
    blanks("/*M!100500 ENGINE=Aria */", "           ENGINE=Aria   ");
    blanks("/*! a 'b' */", "    a" + " ".repeat(7));
  }
}
