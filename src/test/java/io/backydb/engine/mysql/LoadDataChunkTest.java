package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The INSERT → LOAD DATA rewrite, byte by byte. Restores through it: {@link LocalRowsTest}. */
class LoadDataChunkTest {

  private static String raw(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void rowsBecomeTabSeparatedLinesWithTheSameEscapes() {
    LoadDataChunk c =
        LoadDataChunk.of(
            "INSERT INTO `t` (`id`,`name`,`note`) VALUES\n"
                + "(1,'a\\'b\\\\c\\nd',NULL),\n"
                + "(-2.5e-7,'','NULL'),\n"
                + "(3,'tab\there','\\\\N');");
    assertThat(c).isNotNull();
    assertThat(c.rowCount()).isEqualTo(3);
    assertThat(raw(c.rows()))
        .isEqualTo(
            "1\ta\\'b\\\\c\\nd\t\\N\n"
                + "-2.5e-7\t\tNULL\n"
                // a raw tab is escaped; the text \N stays an escaped backslash and an N
                + "3\ttab\\there\t\\\\N\n");
    assertThat(c.sql())
        .isEqualTo(
            "LOAD DATA LOCAL INFILE 'backy-rows' INTO TABLE `t` CHARACTER SET utf8mb4"
                + " FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'"
                + " (`id`,`name`,`note`)");
  }

  @Test
  void binaryLiteralsKeepEveryByte() throws Exception {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    SqlText sql = new SqlText();
    sql.text("INSERT INTO `b``q` VALUES\n(7,").binary(value).text(")");
    java.io.ByteArrayOutputStream dump = new java.io.ByteArrayOutputStream();
    sql.writeTo(dump);
    LoadDataChunk c = LoadDataChunk.of(raw(dump.toByteArray()));
    assertThat(c).isNotNull();
    assertThat(c.sql()).contains("INTO TABLE `b``q` CHARACTER SET").doesNotContain("(`");
    // what LOAD DATA reads back from the field is the value again
    assertThat(unescapeField(raw(c.rows()), "7\t".length())).isEqualTo(raw(value));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INSERT INTO `t` VALUES (b'0101')", // BIT: LOAD DATA would read the text
        "INSERT INTO `t` VALUES (0x41)",
        "INSERT INTO `t` VALUES (NOW())",
        "INSERT INTO `t` VALUES ('50\\%')", // \% keeps its backslash in SQL only
        "INSERT INTO `t` VALUES ('it''s')",
        "INSERT INTO `t` VALUES (1) ON DUPLICATE KEY UPDATE id = 1",
        "INSERT INTO `t` VALUES ('open",
        "INSERT INTO `t` SELECT 1",
        "INSERT INTO t VALUES (1)",
        "REPLACE INTO `t` VALUES (1)",
        "INSERT INTO `t` VALUES (1),",
      })
  void anythingElseIsLeftToTheInsert(String insert) {
    assertThat(LoadDataChunk.of(insert)).isNull();
  }

  /** LOAD DATA's reading of a field that runs to the end of the line. */
  private static String unescapeField(String line, int from) {
    StringBuilder out = new StringBuilder();
    for (int i = from; line.charAt(i) != '\n'; i++) {
      char ch = line.charAt(i);
      assertThat(ch).as("an unescaped tab would end the field").isNotEqualTo('\t');
      if (ch != '\\') {
        out.append(ch);
        continue;
      }
      char e = line.charAt(++i);
      out.append(
          switch (e) {
            case '0' -> '\0';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'Z' -> (char) 0x1a;
            default -> e;
          });
    }
    return out.toString();
  }
}
