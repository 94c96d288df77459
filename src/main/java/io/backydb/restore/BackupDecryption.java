package io.backydb.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.PayloadEncryption;
import io.backydb.config.Environment;
import io.backydb.format.BackyHeader;
import io.backydb.keys.DataKey;
import io.backydb.keys.KeyProvider;
import io.backydb.keys.KeyProviders;
import io.backydb.keys.WrappedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sets up the decryption of an encrypted {@code .backy} backup from its header alone (no backup
 * config): the suite, the provider, and the wrapped data key with the id of the key that wrapped
 * it; the provider is built from the environment ({@link KeyProviders#forHeader}). Unwrapping
 * happens here, so a wrong PRIVATE_KEY_PASSWORD, a missing key pair or a KMS that refuses fail
 * before anything is read; a changed header or payload fails when the payload is read, which a
 * restore does completely (verify) before the first statement. The unwrapped data key is the
 * caller's to close when the restore or verification is over.
 */
public final class BackupDecryption {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private BackupDecryption() {}

  /**
   * Adds the decryption stage to {@code source} if its payload is encrypted; else does nothing.
   *
   * @return the unwrapped data key the stage decrypts with, or null if the payload is not
   *     encrypted. The caller closes it once it has finished reading {@code source} (also when that
   *     fails): closing overwrites the key, and {@code source} cannot be decrypted afterwards.
   */
  public static DataKey setUp(BackupSource source, Environment env) {
    BackyHeader header = source.header();
    if (header == null || header.encryption() == null) {
      return null;
    }
    String where = source.location();
    JsonNode section = header.encryption();
    String suite = section.path("suite").asText("");
    if (!PayloadEncryption.SUITE.equals(suite)) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where
              + " is encrypted with suite '"
              + suite
              + "', which this BackyDB cannot read (it knows "
              + PayloadEncryption.SUITE
              + "); upgrade BackyDB");
    }
    String provider = section.path("provider").asText("");
    List<WrappedKey> keys = wrappedKeys(section, where);
    byte[] aad = header.authenticatedBytes();
    String backupId = header.backupId();
    BackyException failure = null;
    for (WrappedKey key : keys) {
      if (!key.provider().equals(provider)) {
        failure =
            new BackyException(
                ErrorCode.CORRUPT_BACKUP,
                where
                    + " names key provider '"
                    + provider
                    + "' but holds a data key wrapped by '"
                    + key.provider()
                    + "': the header was changed");
        continue;
      }
      byte[] dek = null;
      try (KeyProvider p = KeyProviders.forHeader(key, env)) {
        dek = p.unwrap(key, backupId);
      } catch (BackyException e) {
        if (dek != null) {
          Arrays.fill(dek, (byte) 0); // unwrapped, then closing the provider failed
        }
        failure = naming(where, e);
        continue;
      }
      DataKey dataKey;
      try {
        dataKey = new DataKey(dek, key);
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
      source.addPayloadDecoder(
          in -> {
            // Tink copies the key into the stream it builds: this copy is overwritten at once
            byte[] k = dataKey.key();
            try {
              return PayloadEncryption.decrypting(in, k, aad);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } finally {
              Arrays.fill(k, (byte) 0);
            }
          });
      return dataKey;
    }
    throw failure;
  }

  /**
   * The provider's error with the backup's location in front: a provider knows the backup only by
   * its id (a UUID in its header), which no operator can look up.
   */
  private static BackyException naming(String where, BackyException e) {
    String message = e.getMessage();
    return message != null && message.contains(where)
        ? e
        : new BackyException(e.code(), where + ": " + message, e);
  }

  private static List<WrappedKey> wrappedKeys(JsonNode section, String where) {
    JsonNode array = section.get(BackyHeader.WRAPPED_KEYS);
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where + " is encrypted but its header holds no wrapped data key: the header was changed");
    }
    List<WrappedKey> keys = new ArrayList<>();
    for (JsonNode k : array) {
      keys.add(WrappedKey.fromMap(JSON.convertValue(k, MAP)));
    }
    return keys;
  }
}
