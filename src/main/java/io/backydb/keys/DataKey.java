package io.backydb.keys;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * A backup's data key: the plaintext key that encrypts (backup) or decrypts (restore, verify) the
 * payload, and the same key wrapped for the header. Close it once the payload has been read or
 * written, also when that fails: closing overwrites the plaintext key, so it does not stay in the
 * heap (and in a heap dump) for as long as the process runs.
 */
public final class DataKey implements AutoCloseable, Destroyable {

  /** Size of a data key: AES-256. */
  public static final int SIZE_BYTES = 32;

  private final byte[] key;
  private final WrappedKey wrapped;

  /** Keeps a copy of {@code key}; the caller overwrites its own array. */
  public DataKey(byte[] key, WrappedKey wrapped) {
    if (key.length != SIZE_BYTES) {
      throw new IllegalArgumentException("a data key has " + SIZE_BYTES + " bytes");
    }
    this.key = key.clone();
    this.wrapped = wrapped;
  }

  /**
   * The plaintext key, as a copy that the caller overwrites once it has handed it on. Never log or
   * store it.
   *
   * @throws IllegalStateException once the key is destroyed: the all-zero bytes left must never
   *     encrypt a backup
   */
  public byte[] key() {
    if (isDestroyed()) {
      throw new IllegalStateException("the data key of " + wrapped + " was destroyed");
    }
    return key.clone();
  }

  public WrappedKey wrapped() {
    return wrapped;
  }

  /** Overwrites the plaintext key in this object. */
  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
  }

  /**
   * Whether the plaintext key has been overwritten. It reads the bytes themselves rather than a
   * flag, so a test of it proves the zeroing; a random 256-bit key is never all zeros.
   */
  @Override
  public boolean isDestroyed() {
    byte any = 0;
    for (byte b : key) {
      any |= b;
    }
    return any == 0;
  }

  /** Overwrites the plaintext key ({@link #destroy()}). */
  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "DataKey[" + wrapped + "]";
  }
}
