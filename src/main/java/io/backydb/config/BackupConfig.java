package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A backup job: the seed's backup configuration schema. Immutable; build it with {@link
 * ConfigLoader} from JSON, YAML or a map, which validates every key and reports a bad one as a
 * {@link io.backydb.BackyException} (the constructors throw {@link IllegalArgumentException}).
 *
 * @param database where the database is and what to take from it (required)
 * @param compression the {@code compression} section (default: none)
 * @param security the {@code security} section: encryption and its keys (default: none)
 * @param integrity the {@code integrity} section: HMAC or checksum (default: none)
 * @param storage where the backup goes (required)
 */
public record BackupConfig(
    DatabaseConfig database,
    CompressionConfig compression,
    SecurityConfig security,
    IntegrityConfig integrity,
    StorageConfig storage) {

  public BackupConfig {
    // present but null: YAML's "database:" or "database: null"
    if (database == null) {
      throw new IllegalArgumentException("database must not be empty");
    }
    if (storage == null) {
      throw new IllegalArgumentException("storage must not be empty");
    }
    compression = compression == null ? CompressionConfig.NONE : compression;
    security = security == null ? SecurityConfig.NONE : security;
    integrity = integrity == null ? IntegrityConfig.NONE : integrity;
  }

  @JsonCreator
  static BackupConfig fromJson(
      @JsonProperty(value = "database", required = true) DatabaseConfig database,
      @JsonProperty("compression") CompressionConfig compression,
      @JsonProperty("security") SecurityConfig security,
      @JsonProperty("integrity") IntegrityConfig integrity,
      @JsonProperty(value = "storage", required = true) StorageConfig storage) {
    return new BackupConfig(database, compression, security, integrity, storage);
  }

  /** A plain {@code .sql} backup: neither compressed nor encrypted (the seed's raw mode). */
  public boolean isRawSql() {
    return !compression.compression() && !security.encryption();
  }
}
