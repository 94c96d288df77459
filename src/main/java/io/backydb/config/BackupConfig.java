package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A backup job: the seed's backup configuration schema. Immutable; build it with {@link
 * ConfigLoader} from JSON, YAML or a map, which validates every key.
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
