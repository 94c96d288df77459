package io.backydb.keys;

import java.util.Arrays;

/**
 * Re-wraps backups' data keys under a new key without touching their payloads: the payload stays
 * encrypted with the same data key, only the header's wrapped copy of it changes.
 */
public final class KeyRotation {

  private KeyRotation() {}

  /**
   * Unwraps {@code old} with {@code from} and wraps the same data key with {@code to}'s current
   * key, bound to the same backup id.
   */
  public static WrappedKey rewrap(
      WrappedKey old, String backupId, KeyProvider from, KeyProvider to) {
    byte[] dek = from.unwrap(old, backupId);
    try {
      return to.wrap(dek, backupId);
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  /** {@link #rewrap(WrappedKey, String, KeyProvider, KeyProvider)} within one provider. */
  public static WrappedKey rewrap(WrappedKey old, String backupId, KeyProvider provider) {
    return rewrap(old, backupId, provider, provider);
  }

  /** Whether {@code key} is already wrapped by {@code keystore}'s current key. */
  public static boolean isCurrent(WrappedKey key, Keystore keystore) {
    return key.provider().equals(keystore.name()) && key.keyId().equals(keystore.currentKeyId());
  }
}
