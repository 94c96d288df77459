/**
 * Key providers: where the keys that wrap backups' data keys live, and how they wrap them.
 *
 * <p>Every backup is encrypted with a fresh 256-bit data key ({@link io.backydb.keys.DataKey}); the
 * header stores it wrapped ({@link io.backydb.keys.WrappedKey}) by one provider: the local keystore
 * or Google Secret Manager (RSA-OAEP-SHA256 with an RSA key pair, {@link io.backydb.keys.Keystore})
 * or AWS KMS (envelope encryption). Each wrapping is bound to the backup id (the OAEP label, the
 * KMS encryption context). Restore builds the provider from the header alone ({@link
 * io.backydb.keys.KeyProviders#forHeader}). Rotation adds a key pair and re-wraps data keys ({@link
 * io.backydb.keys.KeyRotation}); payloads are never re-encrypted. See {@code docs/security.md}.
 */
package io.backydb.keys;
