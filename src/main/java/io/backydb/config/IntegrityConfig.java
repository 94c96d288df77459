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

  private static final java.util.Set<String> TYPES = java.util.Set.of("hmac", "checksum");

  @JsonCreator
  static IntegrityConfig fromJson(
      @JsonProperty("integrity_check") Boolean check, @JsonProperty("integrity_type") String type) {
    if (check == null && type != null) {
      // "integrity_type: hmac" alone made backups without any integrity check
      throw new IllegalArgumentException(
          SectionSwitch.missing(
              "integrity.integrity_check", "the backup would carry no integrity check"));
    }
    if (check != null && check && (type == null || type.isBlank())) {
      // when the config is loaded, so that the line names the file like every other key's
      throw new IllegalArgumentException(
          "integrity.integrity_type is required when integrity_check is on: hmac or checksum");
    }
    // checked whether or not integrity_check is on, like every other key
    if (type != null
        && !type.isBlank()
        && !TYPES.contains(type.strip().toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException(
          "integrity.integrity_type '" + type + "' is not supported; use hmac or checksum");
    }
    return new IntegrityConfig(check != null && check, type);
  }
}
