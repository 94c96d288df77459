package io.backydb.keys;

import java.util.Arrays;

/**
 * A fresh data key for one backup: the plaintext key that encrypts the payload, and the same key
 * wrapped for the header. Call {@link #destroy()} once the payload is encrypted.
 */
public final class DataKey {

  /** Size of a data key: AES-256. */
  public static final int SIZE_BYTES = 32;

  private final byte[] key;
  private final WrappedKey wrapped;

  public DataKey(byte[] key, WrappedKey wrapped) {
    if (key.length != SIZE_BYTES) {
      throw new IllegalArgumentException("a data key has " + SIZE_BYTES + " bytes");
    }
    this.key = key.clone();
    this.wrapped = wrapped;
  }

  /** The plaintext key (a copy). Never log or store it. */
  public byte[] key() {
    return key.clone();
  }

  public WrappedKey wrapped() {
    return wrapped;
  }

  /** Overwrites the plaintext key in this object. */
  public void destroy() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "DataKey[" + wrapped + "]";
  }
}
