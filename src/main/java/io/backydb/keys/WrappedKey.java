package io.backydb.keys;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

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
