package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed's {@code integrity} section.
 *
 * @param integrityCheck whether to protect the backup (default false)
 * @param type {@code hmac} (keyed from INTEGRITY_PASSWORD) or {@code checksum} (SHA-256)
 */
public record IntegrityConfig(boolean integrityCheck, String type) {

  public static final IntegrityConfig NONE = new IntegrityConfig(false, null);

  @JsonCreator
  static IntegrityConfig fromJson(
      @JsonProperty("integrity_check") Boolean check, @JsonProperty("integrity_type") String type) {
    return new IntegrityConfig(check != null && check, type);
  }
}
