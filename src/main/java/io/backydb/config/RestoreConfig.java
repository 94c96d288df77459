package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A restore job: the seed's restore configuration, plus {@code replace_existing}.
 *
 * @param database where to restore to; its {@code features} and {@code tables} limit what is
 *     applied (default: everything the backup holds)
 * @param backupPath the backup to restore: a path as {@code bin/backy backup} printed it
 * @param storage where the backup is kept
 * @param replaceExisting restore even if the target database already has tables, dropping and
 *     re-creating the objects the backup contains, and emptying each table whose rows it restores
 *     without its definition before loading them (default false: refuse)
 * @param requireHmac refuse a backup that carries no HMAC; null for the default: required when
 *     INTEGRITY_PASSWORD is set (see {@link #hmacRequired})
 */
public record RestoreConfig(
    DatabaseConfig database,
    String backupPath,
    StorageConfig storage,
    boolean replaceExisting,
    Boolean requireHmac) {

  public RestoreConfig {
    // present but null (YAML's "database:" or "database: null"), or an empty backup_path
    if (database == null) {
      throw new IllegalArgumentException("database must not be empty");
    }
    DatabaseConfig.requireText("backup_path", backupPath);
    if (storage == null) {
      throw new IllegalArgumentException("storage must not be empty");
    }
  }

  @JsonCreator
  static RestoreConfig fromJson(
      @JsonProperty(value = "database", required = true) DatabaseConfig database,
      @JsonProperty(value = "backup_path", required = true) String backupPath,
      @JsonProperty(value = "storage", required = true) StorageConfig storage,
      @JsonProperty("replace_existing") Boolean replaceExisting,
      @JsonProperty("require_hmac") Boolean requireHmac) {
    return new RestoreConfig(
        database, backupPath, storage, replaceExisting != null && replaceExisting, requireHmac);
  }

  public RestoreConfig(
      DatabaseConfig database, String backupPath, StorageConfig storage, boolean replaceExisting) {
    this(database, backupPath, storage, replaceExisting, null);
  }

  public RestoreConfig withDatabase(DatabaseConfig db) {
    return new RestoreConfig(db, backupPath, storage, replaceExisting, requireHmac);
  }

  public RestoreConfig withReplaceExisting(boolean replace) {
    return new RestoreConfig(database, backupPath, storage, replace, requireHmac);
  }

  /** Whether the backup must carry an HMAC: {@code require_hmac}, or its default. */
  public boolean hmacRequired(Environment env) {
    return requireHmac != null ? requireHmac : hmacRequiredByDefault(env);
  }

  /**
   * A backup must carry an HMAC when INTEGRITY_PASSWORD is set: one without it (made without, or
   * stripped of it by someone who can write to the storage but does not know the password) is
   * refused rather than trusted on a checksum anyone can recompute.
   */
  public static boolean hmacRequiredByDefault(Environment env) {
    return env.get(Environment.INTEGRITY_PASSWORD).filter(p -> !p.isBlank()).isPresent();
  }
}
