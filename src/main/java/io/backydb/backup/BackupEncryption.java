package io.backydb.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.codec.PayloadEncryption;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyHeader;
import io.backydb.keys.DataKey;
import io.backydb.keys.KeyProvider;
import io.backydb.keys.KeyProviders;
import io.backydb.keys.WrappedKey;
import io.backydb.stream.AsyncPipe;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Encrypts a backup's payload (see {@code docs/security.md}): a fresh data key from the config's
 * key provider, its wrapped form in the header's encryption section, and the payload encrypted with
 * {@link PayloadEncryption} on a thread of its own, the {@link BackyHeader#authenticatedBytes()
 * authenticated header} as associated data. The plaintext data key is overwritten as soon as the
 * payload is encrypted (or the encryption fails).
 */
public final class BackupEncryption {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BackupEncryption() {}

  /**
   * Sets up the encryption of {@code job}'s payload: records the encryption in the header (which it
   * freezes) and in the job's metadata, and returns the encrypted payload stream.
   */
  public static InputStream encrypt(BackupJob job, InputStream payload) {
    DataKey dataKey;
    String provider;
    try (KeyProvider keys = KeyProviders.forConfig(job.config().security(), job.environment())) {
      provider = keys.name();
      dataKey = keys.newDataKey(job.id());
    }
    WrappedKey wrapped = dataKey.wrapped();
    try {
      BackyHeader header = job.completedHeader();
      header.encryption(section(provider, List.of(wrapped)));
      byte[] aad = header.authenticatedBytes();
      job.encryption(
          new BackupMetadata.Encryption(PayloadEncryption.SUITE, provider, wrapped.keyId()));
      return AsyncPipe.start(
          "backy-encrypt",
          out -> {
            byte[] dek = dataKey.key();
            try (InputStream in = payload;
                OutputStream enc = PayloadEncryption.encrypting(out, dek, aad)) {
              in.transferTo(enc);
            } finally {
              Arrays.fill(dek, (byte) 0);
              dataKey.close();
            }
            return null;
          });
    } catch (RuntimeException | Error e) {
      // the encryption thread never ran, so it will not overwrite the key
      dataKey.close();
      throw e;
    }
  }

  /**
   * The header's encryption section: {@code suite} and {@code provider} (authenticated) and the
   * {@code wrapped_keys} (each with its own provider and key id; not authenticated, see {@link
   * BackyHeader#authenticatedBytes()}).
   */
  static ObjectNode section(String provider, List<WrappedKey> keys) {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("suite", PayloadEncryption.SUITE);
    e.put("provider", provider);
    e.set(BackyHeader.WRAPPED_KEYS, wrappedKeys(keys));
    return e;
  }

  /** The {@code wrapped_keys} array for {@code keys}. */
  public static ArrayNode wrappedKeys(List<WrappedKey> keys) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (WrappedKey k : keys) {
      a.add(JSON.valueToTree(k.toMap()));
    }
    return a;
  }
}
