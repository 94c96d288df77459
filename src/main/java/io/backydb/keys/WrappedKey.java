package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A backup's data key as it is stored in the backup's header: wrapped (encrypted) by a key
 * provider, with what a restore needs to find the key that unwraps it. Nothing here is secret.
 *
 * @param provider which provider wrapped it: {@code local}, {@code gcp} or {@code aws} (see {@link
 *     KeyProviders#forHeader})
 * @param keyId the wrapping key: the RSA public key's fingerprint ({@code local}, {@code gcp}) or
 *     the KMS key's ARN ({@code aws})
 * @param algorithm how it was wrapped: {@link #RSA_OAEP_SHA256} or {@link #AWS_KMS}
 * @param wrapped the wrapped data key
 * @param context what the wrapping is bound to, for the reader of the header (the binding itself is
 *     recomputed from the backup id on unwrap, never taken from here)
 */
// the array is copied in and out, and equals/hashCode compare its content
@SuppressWarnings("ArrayRecordComponent")
public record WrappedKey(
    String provider, String keyId, String algorithm, byte[] wrapped, Map<String, String> context) {

  /** RSA-OAEP, SHA-256 and MGF1-SHA-256, label {@code "backydb:backup:" + backup id}. */
  public static final String RSA_OAEP_SHA256 = "RSA-OAEP-SHA256";

  /** AWS KMS Encrypt/GenerateDataKey with encryption context {@code {"backup_id": id}}. */
  public static final String AWS_KMS = "AWS-KMS";

  public WrappedKey {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(algorithm, "algorithm");
    wrapped = wrapped.clone();
    context = context == null ? Map.of() : Map.copyOf(context);
  }

  @Override
  public byte[] wrapped() {
    return wrapped.clone();
  }

  /**
   * The form a JSON header stores: {@code provider}, {@code key_id}, {@code algorithm}, {@code
   * wrapped_key} (Base64) and {@code context}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("provider", provider);
    m.put("key_id", keyId);
    m.put("algorithm", algorithm);
    m.put("wrapped_key", wrappedBase64());
    m.put("context", new TreeMap<>(context));
    return m;
  }

  /**
   * Reads {@link #toMap()}'s form back, as a header parser hands it over. A missing or malformed
   * entry is a {@link ErrorCode#CORRUPT_BACKUP} error.
   */
  public static WrappedKey fromMap(Map<?, ?> m) {
    try {
      Map<String, String> ctx = new TreeMap<>();
      if (m.get("context") instanceof Map<?, ?> c) {
        c.forEach((k, v) -> ctx.put((String) k, (String) v));
      }
      return new WrappedKey(
          (String) Objects.requireNonNull(m.get("provider")),
          (String) Objects.requireNonNull(m.get("key_id")),
          (String) Objects.requireNonNull(m.get("algorithm")),
          Base64.getDecoder().decode((String) Objects.requireNonNull(m.get("wrapped_key"))),
          ctx);
    } catch (RuntimeException e) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "the backup's header has no valid wrapped data key (provider, key_id, algorithm,"
              + " wrapped_key): the header was changed",
          e);
    }
  }

  /** The wrapped key in Base64, as a JSON header stores it. */
  public String wrappedBase64() {
    return Base64.getEncoder().encodeToString(wrapped);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey w
        && provider.equals(w.provider)
        && keyId.equals(w.keyId)
        && algorithm.equals(w.algorithm)
        && Arrays.equals(wrapped, w.wrapped)
        && context.equals(w.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, keyId, algorithm, Arrays.hashCode(wrapped), context);
  }

  @Override
  public String toString() {
    return "WrappedKey["
        + provider
        + ", "
        + keyId
        + ", "
        + algorithm
        + ", "
        + wrapped.length
        + " bytes]";
  }
}
