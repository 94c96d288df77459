package io.backydb.engine.mysql;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * A reusable byte buffer in which one SQL statement is assembled before it is written out. It knows
 * how to write MySQL literals exactly: strings with backslash escapes (valid when the session's
 * sql_mode lacks NO_BACKSLASH_ESCAPES, which the dump header guarantees), binary data as hex, BIT
 * values as binary literals.
 */
final class SqlText {

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf = new byte[1 << 16];
  private int len;

  int length() {
    return len;
  }

  void reset() {
    len = 0;
    // a single huge row may have grown the buffer; give that memory back
    if (buf.length > (4 << 20)) {
      buf = new byte[1 << 16];
    }
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  SqlText raw(byte[] b) {
    return raw(b, 0, b.length);
  }

  SqlText raw(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  SqlText ch(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** Text in UTF-8 (identifiers, keywords). */
  SqlText text(String s) {
    return raw(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A backtick-quoted identifier; backticks inside are doubled. */
  SqlText ident(String name) {
    return text(quoteIdent(name));
  }

  static String quoteIdent(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** The names, each quoted as {@link #quoteIdent} does, separated by {@code ", "}. */
  static String quoteIdents(Collection<String> names) {
    return names.stream().map(SqlText::quoteIdent).collect(Collectors.joining(", "));
  }

  /** For each byte value: the letter after the backslash that escapes it, or 0 for none. */
  private static final byte[] ESCAPE = new byte[256];

  /** For each byte value: its two hex digits, high digit in the high byte. */
  private static final short[] HEX_PAIR = new short[256];

  static {
    ESCAPE[0] = '0';
    ESCAPE['\n'] = 'n';
    ESCAPE['\r'] = 'r';
    ESCAPE[0x1a] = 'Z';
    ESCAPE['\\'] = '\\';
    ESCAPE['\''] = '\'';
    for (int i = 0; i < 256; i++) {
      HEX_PAIR[i] = (short) ((HEX[i >> 4] << 8) | HEX[i & 0xf]);
    }
  }

  /** A string literal from the server's bytes (utf8mb4), escaped so that every byte survives. */
  SqlText string(byte[] b) {
    return string(b, 0, b.length);
  }

  /** {@link #string(byte[])} of {@code n} bytes of {@code b} from {@code off}. */
  SqlText string(byte[] b, int off, int n) {
    ensure(n * 2 + 2);
    byte[] out = buf;
    int o = len;
    out[o++] = '\'';
    // copy runs of bytes that need no escape in one go: most text has none at all
    int run = off;
    int end = off + n;
    for (int i = off; i < end; i++) {
      byte e = ESCAPE[b[i] & 0xff];
      if (e != 0) {
        System.arraycopy(b, run, out, o, i - run);
        o += i - run;
        out[o++] = '\\';
        out[o++] = e;
        run = i + 1;
      }
    }
    System.arraycopy(b, run, out, o, end - run);
    o += end - run;
    out[o++] = '\'';
    len = o;
    return this;
  }

  /**
   * Binary data as an escaped binary string literal, {@code _binary'...'}: every byte as it is but
   * the six that {@link #string} escapes. Half the size of hex; a restore must then pass the dump's
   * bytes to the server unchanged (see {@code MySqlApplier}).
   */
  SqlText binary(byte[] b) {
    return binary(b, 0, b.length);
  }

  SqlText binary(byte[] b, int off, int n) {
    ensure(7);
    for (byte x : BINARY_INTRODUCER) {
      buf[len++] = x;
    }
    return string(b, off, n);
  }

  private static final byte[] BINARY_INTRODUCER = "_binary".getBytes(StandardCharsets.US_ASCII);

  /** Binary data as a hex literal ({@code 0x...}), or {@code ''} when empty. */
  SqlText hex(byte[] b) {
    if (b.length == 0) {
      return ch('\'').ch('\'');
    }
    ensure(b.length * 2 + 2);
    byte[] out = buf;
    int o = len;
    out[o++] = '0';
    out[o++] = 'x';
    for (byte x : b) {
      short pair = HEX_PAIR[x & 0xff];
      out[o++] = (byte) (pair >> 8);
      out[o++] = (byte) pair;
    }
    len = o;
    return this;
  }

  /** A BIT value as a binary literal {@code b'0101'}. */
  SqlText bits(byte[] b) {
    return bits(b, 0, b.length);
  }

  SqlText bits(byte[] b, int off, int n) {
    ensure(n * 8 + 3);
    buf[len++] = 'b';
    buf[len++] = '\'';
    if (n == 0) {
      buf[len++] = '0';
    }
    for (int k = off; k < off + n; k++) {
      byte x = b[k];
      for (int i = 7; i >= 0; i--) {
        buf[len++] = (byte) (((x >> i) & 1) == 1 ? '1' : '0');
      }
    }
    buf[len++] = '\'';
    return this;
  }

  /**
   * The index just past the backquoted name that opens at {@code i} (a doubled backquote inside it
   * is one backquote), or -1 if it is not closed.
   */
  static int endOfQuotedName(String s, int i) {
    int j = i + 1;
    while (j < s.length()) {
      if (s.charAt(j) == '`') {
        if (j + 1 < s.length() && s.charAt(j + 1) == '`') {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return -1;
  }

  /**
   * The index of the quote closing the one at {@code open} ({@code '}, {@code "} or a backquote),
   * or the length of {@code s} if none does: a doubled quote stays inside, and so does a character
   * escaped by a backslash in a {@code '} string.
   */
  static int closingQuote(String s, int open) {
    char q = s.charAt(open);
    for (int i = open + 1; i < s.length(); i++) {
      if (s.charAt(i) == '\\' && q == '\'') {
        i++;
      } else if (s.charAt(i) == q) {
        if (i + 1 < s.length() && s.charAt(i + 1) == q) {
          i++;
        } else {
          return i;
        }
      }
    }
    return s.length();
  }
}
