package io.backydb.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

class Pbkdf2HmacSha256Test {

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void rfc7914Vectors() {
    // RFC 7914, section 11: PBKDF2-HMAC-SHA256, first 32 of the 64 bytes given
    assertThat(HexFormat.of().formatHex(Pbkdf2HmacSha256.derive(ascii("passwd"), ascii("salt"), 1)))
        .isEqualTo("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    assertThat(
            HexFormat.of()
                .formatHex(Pbkdf2HmacSha256.derive(ascii("Password"), ascii("NaCl"), 80000)))
        .isEqualTo("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56");
  }

  @Test
  void sameAsTheJdksForAnyPasswordSaltAndCount() throws Exception {
    Random random = new Random(8018);
    SecretKeyFactory jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    // passwords shorter and longer than SHA-256's 64-byte block, non-ASCII too
    for (int len : new int[] {1, 12, 63, 64, 65, 200}) {
      char[] password = new char[len];
      for (int i = 0; i < len; i++) {
        password[i] = (char) (i % 3 == 0 ? 'a' + random.nextInt(26) : 0xe0 + random.nextInt(200));
      }
      byte[] salt = new byte[1 + random.nextInt(32)];
      random.nextBytes(salt);
      int iterations = 1 + random.nextInt(3000);
      byte[] expected =
          jdk.generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
      byte[] utf8 = new String(password).getBytes(StandardCharsets.UTF_8);
      assertThat(Pbkdf2HmacSha256.derive(utf8, salt, iterations))
          .as("password of %d chars, %d iterations", len, iterations)
          .isEqualTo(expected);
      Arrays.fill(password, '\0');
    }
  }
}
