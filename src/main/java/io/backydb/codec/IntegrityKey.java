package io.backydb.codec;

import io.backydb.format.BackyHeader;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What computes a backup's integrity value: SHA-256 ({@code checksum}) or HMAC-SHA256 with a key
 * derived from {@code INTEGRITY_PASSWORD} ({@code hmac}). Made by {@link IntegrityKeys}. The key
 * never leaves this object and never appears in {@link #toString()}.
 */
public final class IntegrityKey {

  private final BackyHeader.Integrity params;
  private final SecretKeySpec macKey;

  IntegrityKey(BackyHeader.Integrity params, byte[] macKey) {
    this.params = params;
    this.macKey = macKey == null ? null : new SecretKeySpec(macKey, IntegrityKeys.HMAC_SHA256);
  }

  /** The parameters (type, algorithm, KDF settings); no secret. */
  public BackyHeader.Integrity params() {
    return params;
  }

  public String type() {
    return params.type();
  }

  public IntegrityDigest newDigest() {
    if (macKey != null) {
      try {
        Mac mac = Mac.getInstance(IntegrityKeys.HMAC_SHA256);
        mac.init(macKey);
        return new IntegrityDigest() {
          @Override
          public void update(byte[] b, int off, int len) {
            mac.update(b, off, len);
          }

          @Override
          public byte[] finish() {
            return mac.doFinal();
          }
        };
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException("every Java has HmacSHA256", e);
      }
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return new IntegrityDigest() {
        @Override
        public void update(byte[] b, int off, int len) {
          sha.update(b, off, len);
        }

        @Override
        public byte[] finish() {
          return sha.digest();
        }
      };
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** Constant-time comparison of two integrity values. */
  public static boolean matches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  @Override
  public String toString() {
    return "IntegrityKey[" + params.type() + "]";
  }
}
