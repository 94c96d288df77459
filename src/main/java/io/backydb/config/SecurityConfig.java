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
 * @param keySize RSA key size in bits (default 4096, {@link #MIN_KEY_SIZE} to {@link
 *     #MAX_KEY_SIZE})
 * @param keyId KMS key id or alias (kms only)
 */
public record SecurityConfig(
    boolean encryption, String type, String provider, int keySize, String keyId) {

  public static final int DEFAULT_KEY_SIZE = 4096;

  /**
   * The smallest RSA key size accepted: shorter keys are within reach of factoring and no longer
   * allowed by NIST SP 800-131A for protecting keys.
   */
  public static final int MIN_KEY_SIZE = 2048;

  /**
   * The largest RSA key size accepted: the JDK's RSA implementation generates and reads no longer
   * keys, so a larger size used to pass the config and fail at the first key generation with the
   * JDK's "Invalid key sizes", naming no key.
   */
  public static final int MAX_KEY_SIZE = 16384;

  public static final SecurityConfig NONE =
      new SecurityConfig(false, null, null, DEFAULT_KEY_SIZE, null);

  @JsonCreator
  static SecurityConfig fromJson(
      @JsonProperty("encryption") Boolean encryption,
      @JsonProperty("type") String type,
      @JsonProperty("provider") String provider,
      @JsonProperty("key_size") Integer keySize,
      @JsonProperty("key_id") String keyId) {
    if (encryption == null
        && (type != null || provider != null || keySize != null || keyId != null)) {
      // a section that names a keystore but not "encryption: true" made plaintext backups
      throw new IllegalArgumentException(
          SectionSwitch.missing("security.encryption", "the backup would not be encrypted"));
    }
    checkTypeAndProvider(type, provider);
    if (keySize != null) {
      checkKeySize(keySize);
    }
    if (encryption != null && encryption) {
      checkKeyLocation(type, keyId);
    }
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

  /**
   * Refuses encryption without {@code type}, or with {@code type: kms} and no {@code key_id}: the
   * key-encryption key would be nowhere. The loader checks it when encryption is on, so that a
   * schedule is refused when it loads rather than failing at every backup; {@code KeyProviders}
   * checks a config built in Java the same way.
   *
   * @throws IllegalArgumentException naming the key and what it takes
   */
  public static void checkKeyLocation(String type, String keyId) {
    String t = lower(type);
    if (t == null) {
      throw new IllegalArgumentException(
          "security.type is required with encryption: keystore or kms");
    }
    if (t.equals("kms") && (keyId == null || keyId.isBlank())) {
      throw new IllegalArgumentException(
          "security.key_id is required with security.type kms: the KMS key id, ARN or alias");
    }
  }

  /**
   * Refuses an RSA key size below {@link #MIN_KEY_SIZE} or above {@link #MAX_KEY_SIZE}. The loader
   * checks it whether or not encryption is on, as it does type and provider; {@code KeyProviders}
   * checks a config built in Java, and key generation checks the size it is given, all with this
   * one rule.
   *
   * @throws IllegalArgumentException naming the key, the value and the limit
   */
  public static void checkKeySize(int keySize) {
    if (keySize > MAX_KEY_SIZE) {
      throw new IllegalArgumentException(
          "security.key_size "
              + keySize
              + " is too large: use at most "
              + MAX_KEY_SIZE
              + " (default "
              + DEFAULT_KEY_SIZE
              + ")");
    }
    if (keySize < MIN_KEY_SIZE) {
      throw new IllegalArgumentException(
          "security.key_size "
              + keySize
              + " is too small: use at least "
              + MIN_KEY_SIZE
              + " (default "
              + DEFAULT_KEY_SIZE
              + ")");
    }
  }

  private static String lower(String s) {
    return s == null || s.isBlank() ? null : s.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
