package io.backydb.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.PayloadEncryption;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadEncryptionTest {

  static final int MIB = 1 << 20;
  static final byte[] AAD = "BACKY\u0001{\"backup_id\":\"b1\"}".getBytes(StandardCharsets.UTF_8);

  static byte[] key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] encrypt(byte[] plain, byte[] key, byte[] aad) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = PayloadEncryption.encrypting(out, key, aad)) {
      // odd-sized writes, to cross segment boundaries mid-write
      for (int off = 0; off < plain.length; off += 100_003) {
        enc.write(plain, off, Math.min(100_003, plain.length - off));
      }
    }
    return out.toByteArray();
  }

  static byte[] decrypt(byte[] cipher, byte[] key, byte[] aad) throws IOException {
    try (InputStream in =
        PayloadEncryption.decrypting(new ByteArrayInputStream(cipher), key, aad)) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 23, MIB - 1, MIB, MIB + 23, 5 * MIB + 7})
  void roundTrip_atSegmentBoundaries(int size) throws IOException {
    byte[] key = key();
    byte[] plain = data(size, size);
    byte[] cipher = encrypt(plain, key, AAD);
    assertThat(cipher).hasSize((int) PayloadEncryption.ciphertextSize(size));
    assertThat(decrypt(cipher, key, AAD)).isEqualTo(plain);
  }

  @Test
  void roundTrip_byteByByteReads() throws IOException {
    byte[] key = key();
    byte[] plain = data(70_000, 7);
    byte[] cipher = encrypt(plain, key, AAD);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (InputStream in =
        PayloadEncryption.decrypting(new ByteArrayInputStream(cipher), key, AAD)) {
      for (int b = in.read(); b >= 0; b = in.read()) {
        got.write(b);
      }
    }
    assertThat(got.toByteArray()).isEqualTo(plain);
  }

  @Test
  void ciphertext_containsNoneOfThePlaintextsDistinctiveStrings() throws IOException {
    String marker =
        "INSERT INTO `customers` VALUES ('Zebulon Quixote-Marchetti','zq@example.test')";
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < 40_000; i++) {
      sql.append(marker).append(";\n");
    }
    byte[] plain = sql.toString().getBytes(StandardCharsets.UTF_8);
    byte[] cipher = encrypt(plain, key(), AAD);
    String asText = new String(cipher, StandardCharsets.ISO_8859_1);
    assertThat(asText)
        .doesNotContain("Zebulon")
        .doesNotContain("INSERT INTO")
        .doesNotContain("customers");
  }

  @ParameterizedTest(name = "flip at {0}")
  @ValueSource(ints = {0, 5, 40, MIB / 2, MIB + 100, -1})
  void flippedByte_failsAuthentication(int at) throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(MIB + 5000, 1), key, AAD);
    int pos = at < 0 ? cipher.length + at : at;
    cipher[pos] ^= 0x01;
    assertUnauthenticated(cipher, key, AAD);
  }

  @Test
  void changedAssociatedData_failsAuthentication() throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(3000, 2), key, AAD);
    byte[] otherHeader = AAD.clone();
    otherHeader[otherHeader.length - 3] ^= 0x20;
    assertUnauthenticated(cipher, key, otherHeader);
  }

  @Test
  void wrongKey_failsAuthentication() throws IOException {
    byte[] cipher = encrypt(data(3000, 3), key(), AAD);
    assertUnauthenticated(cipher, key(), AAD);
  }

  @ParameterizedTest(name = "cut {0} bytes")
  @ValueSource(ints = {1, 16, 5000})
  void truncation_failsAuthentication(int cut) throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(2 * MIB + 4000, 4), key, AAD);
    assertUnauthenticated(Arrays.copyOf(cipher, cipher.length - cut), key, AAD);
  }

  @Test
  void truncationAtASegmentBoundary_failsAuthentication() throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(2 * MIB + 4000, 5), key, AAD);
    assertUnauthenticated(Arrays.copyOf(cipher, 2 * MIB), key, AAD);
  }

  @Test
  void appendedBytes_failAuthentication() throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(1000, 6), key, AAD);
    byte[] longer = Arrays.copyOf(cipher, cipher.length + 10);
    assertUnauthenticated(longer, key, AAD);
  }

  @Test
  void readErrorOfTheSource_passesThroughUnchanged() throws IOException {
    byte[] key = key();
    byte[] cipher = encrypt(data(3 * MIB, 8), key, AAD);
    IOException disk = new IOException("disk read error");
    InputStream failing =
        new FilterInputStream(new ByteArrayInputStream(cipher)) {
          long read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (read > MIB) {
              throw disk;
            }
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
          }
        };
    try (InputStream in = PayloadEncryption.decrypting(failing, key, AAD)) {
      assertThatThrownBy(in::readAllBytes).isSameAs(disk);
    }
  }

  static void assertUnauthenticated(byte[] cipher, byte[] key, byte[] aad) {
    assertThatThrownBy(() -> decrypt(cipher, key, aad))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .hasMessage(PayloadEncryption.UNAUTHENTICATED);
  }
}
