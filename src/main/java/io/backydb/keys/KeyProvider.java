package io.backydb.keys;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Wraps and unwraps the data keys of backups. One per {@code security.type}/{@code
 * security.provider}: {@link LocalKeystoreProvider}, {@link GcpSecretManagerProvider}, {@link
 * AwsKmsProvider}; {@link KeyProviders} makes them from a config or from a backup's header.
 *
 * <p>Every wrapping is bound to the backup id: a wrapped key copied into another backup's header
 * does not unwrap. Failures are {@link io.backydb.BackyException}s with one-line messages that name
 * the key and never contain key material or passwords.
 */
public interface KeyProvider extends AutoCloseable {

  /** The provider's name as the header records it: {@code local}, {@code gcp}, {@code aws}. */
  String name();

  /** Wraps {@code dek} for backup {@code backupId} with the provider's current key. */
  WrappedKey wrap(byte[] dek, String backupId);

  /**
   * Unwraps a data key wrapped by this provider for backup {@code backupId}, with the key the
   * header names.
   */
  byte[] unwrap(WrappedKey key, String backupId);

  /**
   * A fresh random data key for a new backup, wrapped. KMS providers let the service generate it
   * (GenerateDataKey); the default draws it from {@link SecureRandom} and {@link #wrap}s it.
   */
  default DataKey newDataKey(String backupId) {
    byte[] dek = new byte[DataKey.SIZE_BYTES];
    new SecureRandom().nextBytes(dek);
    try {
      return new DataKey(dek, wrap(dek, backupId));
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  /** Releases clients and forgets cached keys. */
  @Override
  default void close() {}
}
