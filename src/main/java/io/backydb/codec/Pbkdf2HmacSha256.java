package io.backydb.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018, section 5.2) for one 32-byte block, as the JDK's {@code
 * PBKDF2WithHmacSHA256} computes it, on the JDK's own SHA-256.
 *
 * <p>Why not the JDK's: its HMAC hashes the padded key again for every one of the 600,000
 * iterations (four SHA-256 blocks per iteration where two are needed) through several layers the
 * JIT has to compile while a backup starts; it took 0.78 CPU-seconds of a small backup's 2.8. Here
 * the two padded-key states are hashed once and copied ({@code clone}) for every iteration. {@code
 * Pbkdf2HmacSha256Test} checks it against the JDK's on RFC 7914's vectors and random inputs.
 */
final class Pbkdf2HmacSha256 {

  private static final int BLOCK = 64;
  private static final int HASH = 32;

  private Pbkdf2HmacSha256() {}

  /** The first 32 bytes of PBKDF2-HMAC-SHA256 of {@code password} (UTF-8 bytes). */
  static byte[] derive(byte[] password, byte[] salt, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    MessageDigest inner = sha256();
    MessageDigest outer = sha256();
    byte[] key = password.length > BLOCK ? sha256().digest(password) : password;
    byte[] pad = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x36);
    }
    inner.update(pad);
    for (int i = 0; i < BLOCK; i++) {
      pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x5c);
    }
    outer.update(pad);
    Arrays.fill(pad, (byte) 0);
    if (key != password) {
      Arrays.fill(key, (byte) 0);
    }
    // U1 = HMAC(password, salt || INT(1)); Ui = HMAC(password, Ui-1); T1 = U1 ^ U2 ^ ... ^ Uc
    MessageDigest d = copy(inner);
    d.update(salt);
    d.update(new byte[] {0, 0, 0, 1});
    byte[] u = hmacOuter(outer, d.digest());
    byte[] t = u.clone();
    for (int i = 1; i < iterations; i++) {
      d = copy(inner);
      d.update(u);
      u = hmacOuter(outer, d.digest());
      for (int j = 0; j < HASH; j++) {
        t[j] ^= u[j];
      }
    }
    Arrays.fill(u, (byte) 0);
    return t;
  }

  private static byte[] hmacOuter(MessageDigest outer, byte[] innerHash) {
    MessageDigest d = copy(outer);
    d.update(innerHash);
    return d.digest();
  }

  private static MessageDigest copy(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
