package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** SqlText's literals, against the plainest possible statement of MySQL's escaping rules. */
class SqlTextTest {

  @Property(tries = 500)
  void stringEscapesExactlyTheSixSpecialBytes(@ForAll @Size(max = 300) byte[] value) {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write('\'');
    for (byte x : value) {
      switch (x) {
        case 0 -> expected.writeBytes(new byte[] {'\\', '0'});
        case '\n' -> expected.writeBytes(new byte[] {'\\', 'n'});
        case '\r' -> expected.writeBytes(new byte[] {'\\', 'r'});
        case 0x1a -> expected.writeBytes(new byte[] {'\\', 'Z'});
        case '\\', '\'' -> expected.writeBytes(new byte[] {'\\', x});
        default -> expected.write(x);
      }
    }
    expected.write('\'');
    assertThat(render(new SqlText().text("x,").string(value))).isEqualTo(concat("x,", expected));
  }

  @Property(tries = 300)
  void hexIsUpperCaseDigitsOfEveryByte(@ForAll @Size(min = 1, max = 300) byte[] value) {
    String expected = "0x" + HexFormat.of().withUpperCase().formatHex(value);
    assertThat(
            new String(
                render(new SqlText().hex(value)), java.nio.charset.StandardCharsets.ISO_8859_1))
        .isEqualTo(expected);
  }

  @Property(tries = 50)
  void aLongValueGrowsTheBuffer(@ForAll @Size(min = 70_000, max = 80_000) byte[] value) {
    assertThat(new SqlText().string(value).length()).isGreaterThanOrEqualTo(value.length + 2);
  }

  private static byte[] render(SqlText t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      t.writeTo(out);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(String prefix, ByteArrayOutputStream rest) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    all.writeBytes(rest.toByteArray());
    return all.toByteArray();
  }
}
