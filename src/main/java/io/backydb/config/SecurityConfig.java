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
    return new SecurityConfig(
        encryption != null && encryption,
        type,
        provider,
        keySize == null ? DEFAULT_KEY_SIZE : keySize,
        keyId);
  }
}
