package io.backydb.keys;

import java.util.List;

/**
 * A key provider that keeps RSA key pairs itself (local files, Google Secret Manager), and so can
 * generate, rotate and retire them. One key pair is current: new backups wrap their data keys with
 * it; older key pairs stay until retired, so backups made before a rotation keep restoring.
 */
public interface Keystore extends KeyProvider {

  /** The current key pair's id, generating the first key pair if there is none. */
  String currentKeyId();

  /** Whether a key pair exists yet (without generating one). */
  boolean hasCurrentKey();

  /** Makes a new key pair and makes it current; returns its id. The old ones stay. */
  String rotate();

  /** Deletes key pair {@code keyId}. Refuses the current one. */
  void retire(String keyId);

  /** The ids of the key pairs held, the current one first. */
  List<String> keyIds();

  /**
   * One line for each unfinished key write the keystore holds (a key creation killed half-way, or
   * one running now): no key, but something the operator may have to remove, said how.
   */
  default List<String> unfinishedWrites() {
    return List.of();
  }

  /** Where the keys live, for messages (never a secret), e.g. {@code LOCAL_KEY_STORE_PATH /k}. */
  String where();
}
