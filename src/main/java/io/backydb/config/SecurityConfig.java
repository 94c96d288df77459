package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed's {@code security} section: encryption and where its keys live. Keys and passwords come
 * from environment variables, never from here.
 *
 * @param encryption whether to encrypt (default false)
 * @param type {@code keystore} or {@code kms}
 * @param provider {@code local}, {@code gcp} or {@code aws}
 * @param keySize RSA key size in bits (default 4096)
 * @param keyId KMS key id or alias (kms only)
 */
public record SecurityConfig(
    boolean encryption, String type, String provider, int keySize, String keyId) {

  public static final int DEFAULT_KEY_SIZE = 4096;
  public static final SecurityConfig NONE =
      new SecurityConfig(false, null, null, DEFAULT_KEY_SIZE, null);

  @JsonCreator
  static SecurityConfig fromJson(
      @JsonProperty("encryption") Boolean encryption,
      @JsonProperty("type") String type,
      @JsonProperty("provider") String provider,
      @JsonProperty("key_size") Integer keySize,
      @JsonProperty("key_id") String keyId) {
    checkTypeAndProvider(type, provider);
    return new SecurityConfig(
        encryption != null && encryption,
        type,
        provider,
        keySize == null ? DEFAULT_KEY_SIZE : keySize,
        keyId);
  }

  /**
   * Refuses an unknown {@code type} or {@code provider}, or a provider that does not go with the
   * type. The loader checks it whether or not encryption is on (a config that switches encryption
   * on later must not turn out to be wrong then); {@code KeyProviders} checks a config built in
   * Java the same way before it picks the provider.
   *
   * @throws IllegalArgumentException naming the key and what it takes
   */
  public static void checkTypeAndProvider(String type, String provider) {
    String t = lower(type);
    String p = lower(provider);
    if (t != null && !t.equals("keystore") && !t.equals("kms")) {
      throw new IllegalArgumentException(
          "security.type '" + type + "' is unknown: keystore or kms");
    }
    if (p == null) {
      return;
    }
    boolean keystore = p.equals("local") || p.equals("gcp");
    boolean kms = p.equals("aws");
    if (t == null && !keystore && !kms) {
      throw new IllegalArgumentException(
          "security.provider '" + provider + "' is unknown: local or gcp (keystore), aws (kms)");
    }
    if (t != null && !(t.equals("keystore") ? keystore : kms)) {
      throw new IllegalArgumentException(
          "security.provider '"
              + provider
              + "' does not go with security.type "
              + t
              + ": keystore takes local or gcp, kms takes aws");
    }
  }

  private static String lower(String s) {
    return s == null || s.isBlank() ? null : s.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
