package io.backydb.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SqlSplitterTest {

  // ---------------------------------------------------------------- helpers

  /** What the sink saw, in order; statements as "S<line>:<sql>", directives as "D<line>:<text>". */
  static final class Recorder implements StatementSink {
    final List<String> events = new ArrayList<>();

    @Override
    public void statement(String sql, long line) {
      assertThat(sql).isNotBlank();
      events.add("S" + line + ":" + sql);
    }

    @Override
    public void directive(String text, long line) {
      events.add("D" + line + ":" + text);
    }
  }

  static List<String> events(String sql) {
    return events(sql, false);
  }

  static List<String> events(String sql, boolean noBackslashEscapes) {
    Recorder r = new Recorder();
    try {
      SqlSplitter.split(new StringReader(sql), r, 1 << 20, noBackslashEscapes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return r.events;
  }

  /** Just the statement texts. */
  static List<String> stmts(String sql) {
    return statementsOf(events(sql));
  }

  static List<String> statementsOf(List<String> events) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.startsWith("S")) {
        out.add(e.substring(e.indexOf(':') + 1));
      }
    }
    return out;
  }

  /** Feeds {@code sql} in pieces of the given sizes (cycled), via the push API. */
  static List<String> eventsInChunks(String sql, int[] sizes) throws IOException {
    Recorder r = new Recorder();
    SqlSplitter s = new SqlSplitter(r, 1 << 20, false);
    char[] all = sql.toCharArray();
    int pos = 0;
    int k = 0;
    while (pos < all.length) {
      int n = Math.min(sizes[k++ % sizes.length], all.length - pos);
      // copy into a fresh array at an offset, so off/len handling is exercised too
      char[] piece = new char[n + 3];
      System.arraycopy(all, pos, piece, 2, n);
      s.feed(piece, 2, n);
      pos += n;
    }
    s.finish();
    return r.events;
  }

  /** Outcome of splitting: the events, or the BackyException message. */
  static String outcome(Splitting run) {
    try {
      return String.join("\n|", run.run());
    } catch (BackyException e) {
      return "ERROR " + e.code() + ": " + e.getMessage();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  interface Splitting {
    List<String> run() throws IOException;
  }

  static void assertSplitsTheSameInAnyPieces(String sql) {
    String whole = outcome(() -> events(sql));
    assertThat(outcome(() -> eventsInChunks(sql, new int[] {1})))
        .as("one char at a time")
        .isEqualTo(whole);
    // every single cut position: the state machine must carry all state across feed() calls
    for (int cut = 0; cut <= sql.length(); cut++) {
      int c = cut;
      assertThat(
              outcome(
                  () ->
                      eventsInChunks(
                          sql, new int[] {c == 0 ? sql.length() + 1 : c, sql.length() + 1})))
          .as("cut at %d", cut)
          .isEqualTo(whole);
    }
    Random random = new Random(sql.hashCode());
    for (int round = 0; round < 20; round++) {
      int[] sizes = random.ints(8, 1, 12).toArray();
      assertThat(outcome(() -> eventsInChunks(sql, sizes))).as("random chunks").isEqualTo(whole);
    }
  }

  // ---------------------------------------------------------------- basics

  @Test
  void splitsOnSemicolonsTrimsAndSkipsEmptyStatements() {
    assertThat(events("SELECT 1;  SELECT 2 ;\n\n  SELECT\n 3;;; ;\n"))
        .containsExactly("S1:SELECT 1", "S1:SELECT 2", "S3:SELECT\n 3");
  }

  @Test
  void emptyAndBlankInputsYieldNothing() {
    assertThat(events("")).isEmpty();
    assertThat(events("  \n\t\r\n ;\n;")).isEmpty();
    assertThat(events("-- only a comment\n# another\n/* and another */")).isEmpty();
  }

  @Test
  void textAfterTheLastDelimiterIsAFinalStatement() {
    assertThat(events("SELECT 1;\nSELECT 2  \n")).containsExactly("S1:SELECT 1", "S2:SELECT 2");
    assertThat(events("SELECT 1")).containsExactly("S1:SELECT 1");
  }

  @Test
  void lineNumbersNameWhereTheStatementStarts() {
    assertThat(events("\n\n  SELECT 1\n,2;\r\n\r\nSELECT 3; SELECT\n4;"))
        .containsExactly("S3:SELECT 1\n,2", "S6:SELECT 3", "S6:SELECT\n4");
  }

  @Test
  void crlfLineEndingsAreKeptInsideStatementsAndCountedOnce() {
    assertThat(events("SELECT 'a\r\nb',\r\n 1;\r\nSELECT 2;\r\n"))
        .containsExactly("S1:SELECT 'a\r\nb',\r\n 1", "S4:SELECT 2");
  }

  // ---------------------------------------------------------------- quotes

  @Test
  void delimitersAndCommentMarkersInsideQuotesAreText() {
    String sql =
        "INSERT INTO t VALUES ('a;b', \"c -- d\", 'e # f', '/* g */', 'DELIMITER $$', `h;i`);";
    assertThat(stmts(sql)).containsExactly(sql.substring(0, sql.length() - 1));
  }

  @Test
  void backslashEscapesInsideSingleAndDoubleQuotes() {
    assertThat(stmts("SELECT 'it\\'s; fine', \"say \\\"hi;\\\"\", 'tail\\\\';SELECT 2"))
        .containsExactly("SELECT 'it\\'s; fine', \"say \\\"hi;\\\"\", 'tail\\\\'", "SELECT 2");
  }

  @Test
  void backslashAtTheEndOfAStringEscapesOnlyItself() {
    // 'a\\' is the string a\ — the quote after the two backslashes closes it
    assertThat(stmts("SELECT 'a\\\\';SELECT 'b\\\\\\\\';"))
        .containsExactly("SELECT 'a\\\\'", "SELECT 'b\\\\\\\\'");
  }

  @Test
  void doubledQuotesStayInsideTheLiteral() {
    assertThat(stmts("SELECT 'it''s;', \"a\"\";b\", `we``ird;col`;SELECT ''';''';"))
        .containsExactly("SELECT 'it''s;', \"a\"\";b\", `we``ird;col`", "SELECT ''';'''");
  }

  @Test
  void backslashIsNotAnEscapeInsideBackticks() {
    assertThat(stmts("SELECT `a\\`;SELECT 2")).containsExactly("SELECT `a\\`", "SELECT 2");
  }

  @Test
  void noBackslashEscapesMakesBackslashOrdinary() {
    String sql = "SELECT 'C:\\dir\\';SELECT 'x\\''y';";
    assertThat(statementsOf(events(sql, true)))
        .containsExactly("SELECT 'C:\\dir\\'", "SELECT 'x\\''y'");
    // with escapes on, the same text is one statement with an unterminated string
    assertThatThrownBy(() -> events(sql, false))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("unterminated string starting at line 1");
  }

  @Test
  void emojiNulAndOtherOddCharactersPassThroughUntouched() {
    String weird = "😀 \u0000 \u00e9\u0301 \uFEFF \t \u2028 ; -- # /* */ \\0";
    String stmt = "INSERT INTO t VALUES ('" + weird.replace("\\", "\\\\") + "', 'x😀')";
    assertThat(stmts(stmt + ";\n" + "SELECT '\u0000';")).containsExactly(stmt, "SELECT '\u0000'");
    // a NUL outside quotes is not whitespace either
    assertThat(stmts("SELECT 1\u0000;")).containsExactly("SELECT 1\u0000");
  }

  @Test
  void multiLineStringsKeepTheirLineBreaksAndLineCountingContinues() {
    assertThat(events("SELECT 'a\nb\nc';\nSELECT 2;"))
        .containsExactly("S1:SELECT 'a\nb\nc'", "S4:SELECT 2");
  }

  // ---------------------------------------------------------------- comments

  @Test
  void lineCommentsAreDropped() {
    assertThat(events("SELECT 1 -- one;\n, 2 # two;\n, 3--\t tab;\n;"))
        .containsExactly("S1:SELECT 1 \n, 2 \n, 3");
  }

  @Test
  void doubleDashWithoutWhitespaceIsNotAComment() {
    assertThat(stmts("SELECT 1--1;SELECT 2---1;")).containsExactly("SELECT 1--1", "SELECT 2---1");
    // "---" then a space: the last two dashes start a comment
    assertThat(stmts("SELECT 5--- x\n;")).containsExactly("SELECT 5-");
  }

  @Test
  void doubleDashAtEndOfLineOrInputIsAComment() {
    assertThat(stmts("SELECT 1 --\n;SELECT 2 --\r\n;SELECT 3 --"))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
  }

  @Test
  void blockCommentsAreDroppedAndSeparateTokens() {
    assertThat(stmts("SELECT/* a; b */1;SELECT 2/**/;/* lead */SELECT 3 /* multi\nline ; */ + 4;"))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3  + 4");
    assertThat(stmts("SELECT 1 /*/ still a comment; */;")).containsExactly("SELECT 1");
    assertThat(stmts("SELECT 2 /***/;SELECT 3 /* ** */;")).containsExactly("SELECT 2", "SELECT 3");
  }

  @Test
  void quotesInsideCommentsDoNotOpenStrings() {
    assertThat(stmts("SELECT 1; -- don't\nSELECT 2; # it's\nSELECT 3 /* \"x */;"))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
  }

  @Test
  void commentMarkersGlueToNeighbouringTextAsTheServerSeesIt() {
    assertThat(stmts("SELECT a#b;\n;SELECT c/*d*/e;")).containsExactly("SELECT a", "SELECT c e");
  }

  @Test
  void firstStatementLineSkipsLeadingComments() {
    assertThat(events("-- header\n/* block\n */\n# hash\n  SELECT 1;"))
        .containsExactly("S5:SELECT 1");
  }

  // ---------------------------------------------------------------- executable comments

  @Test
  void executableCommentsAreKeptEvenAsTheWholeStatement() {
    assertThat(events("/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET @x=1 */;\n/*!*/;"))
        .containsExactly(
            "S1:/*!40101 SET NAMES utf8mb4 */", "S2:/*M!100100 SET @x=1 */", "S3:/*!*/");
  }

  @Test
  void executableCommentContentIsOpaque() {
    assertThat(stmts("/*!50003 CREATE TRIGGER x BEGIN SET @a=1; SET @b=';*/'; END */;SELECT 2;"))
        .containsExactly(
            "/*!50003 CREATE TRIGGER x BEGIN SET @a=1; SET @b=';*/'; END */", "SELECT 2");
    // comments inside are kept for the server and their quotes do not count
    String exec = "/*!50003 BEGIN -- don't\n # it's\n /* a */ SET @c=\"*/\"; END */";
    assertThat(stmts(exec + ";SELECT 3;")).containsExactly(exec, "SELECT 3");
  }

  @Test
  void slashStarMWithoutBangIsAnOrdinaryComment() {
    assertThat(stmts("SELECT 1 /*M not executable */;SELECT 2 /*M*/;"))
        .containsExactly("SELECT 1", "SELECT 2");
  }

  @Test
  void mariadbSandboxCommandIsDropped() {
    assertThat(
            events(
                "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n/*!40101 SET NAMES utf8mb4 */;"))
        .containsExactly("S3:/*!40101 SET NAMES utf8mb4 */");
  }

  // ---------------------------------------------------------------- DELIMITER

  @Test
  void delimiterCommandSwitchesAndRestores() {
    String sql =
        String.join(
            "\n",
            "SELECT 0;",
            "DELIMITER ;;",
            "CREATE PROCEDURE p()",
            "BEGIN",
            "  SELECT 1; -- inner ;",
            "  SELECT 'x;;y';",
            "END ;;",
            "delimiter $$",
            "CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END$$",
            "Delimiter //",
            "SELECT 2; SELECT 3//",
            "DELIMITER ;",
            "SELECT 4;");
    assertThat(events(sql))
        .containsExactly(
            "S1:SELECT 0",
            "S3:CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; \n  SELECT 'x;;y';\nEND",
            "S9:CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
            "S11:SELECT 2; SELECT 3",
            "S13:SELECT 4");
  }

  @Test
  void delimiterCommandIgnoresTheRestOfItsLineAndCrlf() {
    assertThat(
            stmts(
                "DELIMITER $$ trailing words\r\nSELECT 1; SELECT 2$$\r\nDELIMITER ;\r\nSELECT 3;"))
        .containsExactly("SELECT 1; SELECT 2", "SELECT 3");
  }

  @Test
  void delimiterCommandMayFollowAStatementOnTheSameLine() {
    assertThat(stmts("SELECT 1; DELIMITER $$\nSELECT 2; SELECT 3$$"))
        .containsExactly("SELECT 1", "SELECT 2; SELECT 3");
  }

  @Test
  void delimiterWordInsideAStatementOrQuoteIsNotACommand() {
    assertThat(
            stmts("SELECT 1,\nDELIMITER ;\nSELECT 'DELIMITER $$';\nSELECT delimiter_col FROM t;"))
        .containsExactly(
            "SELECT 1,\nDELIMITER", "SELECT 'DELIMITER $$'", "SELECT delimiter_col FROM t");
    assertThat(stmts("DELIMITERx;")).containsExactly("DELIMITERx");
  }

  @Test
  void customDelimiterInsideQuotesAndCommentsIsText() {
    assertThat(stmts("DELIMITER $$\nSELECT '$$' /* $$ */, \"$$\" -- $$\n$$"))
        .containsExactly("SELECT '$$' , \"$$\"");
  }

  @Test
  void customDelimiterSplitByAQuoteOrCommentDoesNotMatch() {
    assertThat(stmts("DELIMITER $$\nSELECT '$'$ 1 $/**/$ 2$$"))
        .containsExactly("SELECT '$'$ 1 $ $ 2");
  }

  @Test
  void delimiterAtEndOfInputIsApplied() {
    assertThat(stmts("SELECT 1;\nDELIMITER $$")).containsExactly("SELECT 1");
  }

  @Test
  void delimiterWithoutArgumentFails() {
    assertThatThrownBy(() -> events("SELECT 1;\nDELIMITER \n"))
        .isInstanceOf(BackyException.class)
        .hasMessage("DELIMITER without a delimiter at line 2");
  }

  // ---------------------------------------------------------------- directives

  @Test
  void backyDirectivesAreReportedInOrder() {
    assertThat(
            events(
                "-- backy:section schema\nCREATE TABLE t (a INT);\n-- backy:table `t`  \r\nINSERT INTO t VALUES (1);\n-- backy:section data"))
        .containsExactly(
            "D1:section schema",
            "S2:CREATE TABLE t (a INT)",
            "D3:table `t`",
            "S4:INSERT INTO t VALUES (1)",
            "D5:section data");
  }

  @Test
  void onlyExactWholeLineDirectivesBetweenStatementsCount() {
    assertThat(
            events(
                String.join(
                    "\n",
                    " -- backy:indented",
                    "--  backy:two spaces",
                    "-- Backy:case",
                    "--backy:no space",
                    "SELECT 1; -- backy:after a statement",
                    "SELECT 2,",
                    "-- backy:inside a statement",
                    "3;",
                    "# backy:hash",
                    "/* backy:block */")))
        // "--b" is no comment, so line 4 starts a statement; the other lines are ordinary comments
        .containsExactly("S4:--backy:no space\nSELECT 1", "S6:SELECT 2,\n\n3");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void unterminatedQuotesAndCommentsNameTheStartLine() {
    assertThatThrownBy(() -> events("SELECT 1;\nSELECT 'abc\n\n"))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .hasMessage(
            "unterminated string starting at line 2: the SQL input is truncated or corrupt");
    assertThatThrownBy(() -> events("SELECT \"abc\\\""))
        .hasMessageStartingWith("unterminated string starting at line 1");
    assertThatThrownBy(() -> events("\nSELECT `abc"))
        .hasMessageStartingWith("unterminated quoted identifier starting at line 2");
    assertThatThrownBy(() -> events("SELECT 1;\n\n/* open\n comment"))
        .hasMessageStartingWith("unterminated comment starting at line 3");
    assertThat(stmts("SELECT 1 /")).containsExactly("SELECT 1 /"); // a lone slash opens nothing
    assertThatThrownBy(() -> events("SELECT 1 /*"))
        .hasMessageStartingWith("unterminated comment starting at line 1");
    assertThatThrownBy(() -> events("\n/*!40101 SET x=1 ;"))
        .hasMessageStartingWith("unterminated comment starting at line 2");
    assertThatThrownBy(() -> events("SELECT 'a\\"))
        .hasMessageStartingWith("unterminated string starting at line 1");
  }

  @Test
  void unterminatedDoubledQuoteReportsWhereTheLiteralBegan() {
    assertThatThrownBy(() -> events("SELECT 'a\n''\n''b"))
        .hasMessageStartingWith("unterminated string starting at line 1");
  }

  @Test
  void statementsLongerThanTheLimitFailNamingTheirLine() {
    Recorder r = new Recorder();
    String ok = "SELECT '" + "x".repeat(81) + "';"; // 91 chars including the delimiter
    assertThat(ok).hasSize(91);
    String tooLong = "\nSELECT '" + "y".repeat(200) + "';";
    assertThatThrownBy(() -> SqlSplitter.split(new StringReader(ok + tooLong), r, 91, false))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .hasMessageStartingWith("statement starting at line 2 is longer than 91 characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(r.events).containsExactly("S1:" + ok.substring(0, 90));
  }

  @Test
  void limitAppliesOutsideQuotesAndToDirectivesToo() {
    assertThatThrownBy(
            () ->
                SqlSplitter.split(
                    new StringReader("SELECT " + "1+".repeat(100)), new Recorder(), 50, false))
        .hasMessageStartingWith("statement starting at line 1 is longer than 50");
    assertThatThrownBy(
            () ->
                SqlSplitter.split(
                    new StringReader("-- backy:" + "z".repeat(100)), new Recorder(), 50, false))
        .hasMessageStartingWith("statement starting at line 1 is longer than 50");
    // ordinary comments are not stored, so they may be longer than the limit
    Recorder r = new Recorder();
    try {
      SqlSplitter.split(
          new StringReader(
              "-- "
                  + "c".repeat(500)
                  + "\n# "
                  + "d".repeat(500)
                  + "\n/* "
                  + "e".repeat(500)
                  + " */SELECT 1;"),
          r,
          50,
          false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(r.events).containsExactly("S3:SELECT 1");
  }

  @Test
  void sinkExceptionsPassThroughOrAreWrapped() {
    StatementSink sqlFails =
        (sql, line) -> {
          throw new SQLException("Table 't'\ndoesn't exist");
        };
    assertThatThrownBy(() -> SqlSplitter.split(new StringReader("\nSELECT 1;"), sqlFails))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE))
        .hasMessage("statement at line 2 failed: Table 't' doesn't exist")
        .hasCauseInstanceOf(SQLException.class);
    StatementSink ioFails =
        (sql, line) -> {
          throw new IOException("disk");
        };
    assertThatThrownBy(() -> SqlSplitter.split(new StringReader("SELECT 1;"), ioFails))
        .isExactlyInstanceOf(IOException.class);
    StatementSink stateFails =
        (sql, line) -> {
          throw new IllegalStateException("boom");
        };
    assertThatThrownBy(() -> SqlSplitter.split(new StringReader("SELECT 1"), stateFails))
        .isExactlyInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedOrFinishedSplitterRefusesMoreInput() throws IOException {
    SqlSplitter s =
        new SqlSplitter(
            (sql, line) -> {
              throw new IllegalStateException("sink");
            });
    char[] in = "SELECT 1;".toCharArray();
    assertThatThrownBy(() -> s.feed(in, 0, in.length)).hasMessage("sink");
    assertThatThrownBy(() -> s.feed(in, 0, in.length))
        .hasMessageContaining("already finished or failed");

    SqlSplitter done = new SqlSplitter(new Recorder());
    done.finish();
    assertThatThrownBy(done::finish).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> done.feed(in, 0, 1)).isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- streaming

  static List<String> nastyInputs() {
    return List.of(
        "SELECT 1;SELECT 'a;b''c\\'d\\\\';SELECT \"x\"\"y\";SELECT `a``b`;",
        "SELECT 1--1;SELECT 2 -- c\n;SELECT 3 #c\n;SELECT 4/* c */;SELECT 5--",
        "/*!40101 SET NAMES utf8mb4 */;/*M!100100 SET @a=';' */;/*M x */SELECT 6;/**/;/*!*/;",
        "-- backy:section data\r\nSELECT 1;\r\n-- backy:table `t`\r\nINSERT INTO `t` VALUES ('😀\u0000',\"\\\"\");\r\n",
        "DELIMITER ;;\nCREATE PROCEDURE p() BEGIN SELECT 1; END;;\nDELIMITER $$\nSELECT '$$'$$\nDELIMITER ;\nSELECT 2;",
        "/*M!999999\\- enable the sandbox mode */ \n--\n/*!50003 CREATE*/ /*!50017 DEFINER=`r`@`h`*/ /*!50003 TRIGGER x BEGIN\n  -- don't\n  SET @a=1;\nEND */;;",
        "SELECT 1---2; SELECT '--' -- x\n, 3; /*/ */ SELECT 4 /***/ ;",
        "SELECT 'unterminated;",
        "SELECT 1; /* unterminated ",
        "DELIMITER \n",
        "SELECT '\\",
        "select 1; delimiter // x\nselect 2; select 3 //\nDELIMITER ;");
  }

  @ParameterizedTest
  @MethodSource("nastyInputs")
  void feedBoundariesNeverChangeTheResult(String sql) {
    assertSplitsTheSameInAnyPieces(sql);
  }

  @Test
  void mariadbDumpSampleFedInPiecesSplitsTheSame() throws IOException {
    assertSplitsTheSameInAnyPieces(readSample());
  }

  @Test
  void readerIsConsumedInChunksAcrossShortReads() throws IOException {
    String sql = "SELECT 'a;b';\nDELIMITER $$\nSELECT 1; SELECT 2$$\n-- backy:x\n".repeat(50);
    Random random = new Random(7);
    Reader trickle =
        new StringReader(sql) {
          @Override
          public int read(char[] cbuf, int off, int len) throws IOException {
            return super.read(cbuf, off, Math.min(len, 1 + random.nextInt(5)));
          }
        };
    Recorder r = new Recorder();
    SqlSplitter.split(trickle, r);
    assertThat(r.events).isEqualTo(events(sql));
  }

  @Test
  void largeDumpStreamsInBoundedMemory() throws IOException {
    // ~200 MB of chars, generated on the fly: more than the test heap (-Xmx512m) holds as one
    // String
    int rows = 2_000_000;
    String row =
        "INSERT INTO `t` VALUES (1,'some text; with -- markers # and /* stuff */','😀'),(2,NULL,'x\\'y');\n";
    Reader generated =
        new Reader() {
          int emitted;
          int pos;

          @Override
          public int read(char[] cbuf, int off, int len) {
            if (emitted == rows) {
              return -1;
            }
            int n = Math.min(len, row.length() - pos);
            row.getChars(pos, pos + n, cbuf, off);
            pos += n;
            if (pos == row.length()) {
              pos = 0;
              emitted++;
            }
            return n;
          }

          @Override
          public void close() {}
        };
    long[] count = {0};
    long[] lastLine = {0};
    SqlSplitter.split(
        generated,
        (sql, line) -> {
          count[0]++;
          lastLine[0] = line;
        });
    assertThat(count[0]).isEqualTo(rows);
    assertThat(lastLine[0]).isEqualTo(rows);
  }

  // ---------------------------------------------------------------- a real mariadb-dump

  static String readSample() throws IOException {
    try (InputStream in =
        SqlSplitterTest.class.getResourceAsStream("/sql/mariadb-dump-sample.sql")) {
      assertThat(in).as("test resource sql/mariadb-dump-sample.sql").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void splitsARealMariadbDump() throws IOException {
    Recorder r = new Recorder();
    try (Reader in =
        new InputStreamReader(
            SqlSplitterTest.class.getResourceAsStream("/sql/mariadb-dump-sample.sql"),
            StandardCharsets.UTF_8)) {
      SqlSplitter.split(in, r);
    }
    List<String> all = r.events;
    assertThat(all).allMatch(e -> e.startsWith("S"));
    assertThat(all).hasSize(EXPECTED_DUMP_STATEMENTS);
    assertThat(all.get(0))
        .isEqualTo("S8:/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */");
    assertThat(all)
        .contains(
            "S11:/*!40101 SET NAMES utf8mb4 */",
            "S13:/*!40103 SET TIME_ZONE='+00:00' */",
            "S23:DROP TABLE IF EXISTS `audit`",
            "S63:INSERT INTO `t` VALUES\n"
                + "(1,'semi;colon','it\\'s -- not # a /* comment */'),\n"
                + "(2,'back\\\\slash \\\"dq\\\"','emoji 😀 and tab\tand\\nnewline'),\n"
                + "(3,'DELIMITER ;;',NULL)",
            "S78:/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW\n"
                + "BEGIN\n  \n  INSERT INTO audit(msg) VALUES (CONCAT('inserted;', NEW.id));\nEND \n*/",
            "S103:CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p_count`(OUT n INT)\n"
                + "BEGIN\n  SELECT COUNT(*) INTO n FROM t; \n  SET n = n + 0;\nEND",
            "S40:UNLOCK TABLES",
            "S68:UNLOCK TABLES");
    assertThat(all.get(all.size() - 1)).isEqualTo("S122:/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */");
    assertThat(statementsOf(all))
        .noneMatch(s -> s.startsWith("DELIMITER") || s.startsWith("--") || s.endsWith(";"));
  }

  /**
   * Counted independently of the splitter: the 71 lines of the dump that end in ';', less the four
   * DELIMITER lines and the three ';'-terminated lines inside the trigger and procedure bodies.
   */
  static final int EXPECTED_DUMP_STATEMENTS = 64;

  // ---------------------------------------------------------------- properties (jqwik)

  /**
   * A statement: safe tokens outside quotes, anything at all inside them; plus the text that
   * precedes it.
   */
  record Piece(String statement, String leading) {}

  @Provide
  Arbitrary<String> quotedLiteral() {
    Arbitrary<String> content =
        Arbitraries.strings()
            .withChars(";$/'\"`\\-#*!M \n\r\t\u0000abcDELIMITER")
            .withCharRange('\u0100', '\u0110')
            .ofMaxLength(12)
            .map(s -> s + "😀".repeat(s.length() % 2));
    return Combinators.combine(content, Arbitraries.of('\'', '"', '`'))
        .as(
            (s, q) -> {
              StringBuilder b = new StringBuilder().append(q);
              char[] cs = s.toCharArray();
              for (int k = 0; k < cs.length; k++) {
                char c = cs[k];
                if (c == q && q != '`' && k % 2 == 1) {
                  b.append('\\').append(q); // backslash-escaped
                } else if (c == q) {
                  b.append(q).append(q); // doubled
                } else if (c == '\\' && q != '`') {
                  b.append("\\\\");
                } else if (c == '\'' && q != '`') {
                  b.append("\\'"); // escaped though it needs no escape: must survive too
                } else {
                  b.append(c);
                }
              }
              return b.append(q).toString();
            });
  }

  @Provide
  Arbitrary<String> token() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "SELECT", "INSERT", "INTO", "VALUES", "(", ")", ",", "1", "-1", "1-1", "@x", "a.b", "=",
            "+", "NULL"),
        quotedLiteral(),
        quotedLiteral().map(q -> "/*!40101 SET @v=" + q + " */"));
  }

  @Provide
  Arbitrary<String> separator() {
    return Arbitraries.of(
        " ",
        "\n",
        "\r\n",
        "\t",
        "  \n\n",
        " -- note; 'x\n",
        "# hash \"y\n",
        " /* block; `z */ ",
        "\n/* multi\nline */\n");
  }

  @Property(tries = 300)
  void joinedStatementsComeBackExactly(
      @ForAll("statementLists") List<List<String>> statements,
      @ForAll("separator") String sep,
      @ForAll("delimiters") String delimiter)
      throws IOException {
    StringBuilder input = new StringBuilder();
    List<String> expected = new ArrayList<>();
    if (!delimiter.equals(";")) {
      input.append("DELIMITER ").append(delimiter).append('\n');
    }
    for (List<String> tokens : statements) {
      String stmt = String.join(" ", tokens);
      long line = input.chars().filter(c -> c == '\n').count() + 1;
      expected.add("S" + line + ":" + stmt);
      input.append(stmt).append(delimiter).append(sep);
    }
    String sql = input.toString();
    assertThat(events(sql)).isEqualTo(expected);
    int[] sizes = new Random(sql.hashCode()).ints(5, 1, 9).toArray();
    assertThat(eventsInChunks(sql, sizes)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<List<String>>> statementLists() {
    return token().list().ofMinSize(1).ofMaxSize(6).list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<String> delimiters() {
    return Arbitraries.of(";", ";;", "$$", "//", "|");
  }

  @Property(tries = 1000)
  void arbitraryInputEndsOrFailsCleanlyAndIgnoresPieceBoundaries(@ForAll("noise") String sql) {
    String whole = outcome(() -> events(sql));
    assertThat(whole).doesNotStartWith("ERROR FAILED");
    int[] sizes = new Random(sql.hashCode()).ints(6, 1, 7).toArray();
    assertThat(outcome(() -> eventsInChunks(sql, sizes))).isEqualTo(whole);
  }

  @Provide
  Arbitrary<String> noise() {
    Arbitrary<String> chars =
        Arbitraries.strings()
            .withChars(";$/'\"`\\-#*!M \n\r\tab\u0000😀".toCharArray())
            .ofMaxLength(60);
    Arbitrary<String> words =
        Arbitraries.of(
            "DELIMITER ",
            "delimiter $$\n",
            "-- backy:",
            "/*!",
            "/*M!",
            "*/",
            "--",
            "''",
            "\\'",
            ";;",
            "\n",
            "SELECT 1");
    return Arbitraries.oneOf(
        chars,
        words.list().ofMaxSize(20).map(l -> String.join("", l)),
        Combinators.combine(chars, words, chars).as((a, b, c) -> a + b + c));
  }
}
