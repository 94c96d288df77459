package io.backydb.codec;

import io.backydb.format.BackyHeader;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * What computes a backup's integrity value: SHA-256 ({@code checksum}) or HMAC-SHA256 with a key
 * derived from {@code INTEGRITY_PASSWORD} ({@code hmac}). Made by {@link IntegrityKeys}. The key
 * never leaves this object and never appears in {@link #toString()}. Close it once its backup or
 * restore is over, also when that fails: closing overwrites the HMAC key, so that it does not stay
 * in the heap (and in a heap dump) for as long as the process runs, as a {@link
 * io.backydb.keys.DataKey} does not.
 */
public final class IntegrityKey implements AutoCloseable, Destroyable {

  private final BackyHeader.Integrity params;

  /** The HMAC key; null for a checksum, which has no secret. */
  private final byte[] macKey;

  /** Takes {@code macKey} over: it is overwritten when this key is closed. */
  IntegrityKey(BackyHeader.Integrity params, byte[] macKey) {
    this.params = params;
    this.macKey = macKey;
  }

  /** The parameters (type, algorithm, KDF settings); no secret. */
  public BackyHeader.Integrity params() {
    return params;
  }

  public String type() {
    return params.type();
  }

  /**
   * A new computation of the integrity value.
   *
   * @throws IllegalStateException for an HMAC key that was destroyed: its all-zero bytes must never
   *     sign or check a backup
   */
  public IntegrityDigest newDigest() {
    if (macKey != null) {
      if (isDestroyed()) {
        throw new IllegalStateException("the HMAC key was destroyed: its job is over");
      }
      try {
        Mac mac = Mac.getInstance(IntegrityKeys.HMAC_SHA256);
        // the Mac takes a copy, which it overwrites once it has its pads: no SecretKeySpec keeps
        // one of its own for the garbage collector
        mac.init(new CopiedKey(macKey));
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

  /** Overwrites the HMAC key in this object; a checksum has nothing to overwrite. */
  @Override
  public void destroy() {
    if (macKey != null) {
      Arrays.fill(macKey, (byte) 0);
    }
  }

  /**
   * Whether the HMAC key has been overwritten (never for a checksum). It reads the bytes themselves
   * rather than a flag, so a test of it proves the zeroing; a derived 256-bit key is never all
   * zeros.
   */
  @Override
  public boolean isDestroyed() {
    if (macKey == null) {
      return false;
    }
    byte any = 0;
    for (byte b : macKey) {
      any |= b;
    }
    return any == 0;
  }

  /** Overwrites the HMAC key ({@link #destroy()}). */
  @Override
  public void close() {
    destroy();
  }

  /** The HMAC key as {@link Mac#init} takes it: each call hands out a copy for it to overwrite. */
  private static final class CopiedKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    private final transient byte[] key;

    CopiedKey(byte[] key) {
      this.key = key;
    }

    @Override
    public String getAlgorithm() {
      return IntegrityKeys.HMAC_SHA256;
    }

    @Override
    public String getFormat() {
      return "RAW";
    }

    @Override
    public byte[] getEncoded() {
      return key.clone();
    }
  }

  @Override
  public String toString() {
    return "IntegrityKey[" + params.type() + "]";
  }
}
