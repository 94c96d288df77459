package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed's {@code storage} section. Where exactly comes from the environment: {@code LOCAL_PATH}
 * for local storage, {@code AWS_S3_*} for S3.
 *
 * @param type {@code local} or {@code aws} (also {@code s3}) (required)
 * @param prefix S3 only: a key prefix inside the bucket, e.g. {@code prod/shop/} (default: none)
 * @param partSizeMb S3 only: the multipart upload's part size in MiB, 5 to 2047 (default 16); it
 *     doubles every 1,000 parts, so 10,000 parts cover several TB
 * @param pathStyle S3 only: path-style addressing ({@code http://host/bucket/key}); default {@code
 *     AWS_S3_PATH_STYLE} if set, else true when {@code AWS_S3_ENDPOINT} is set, false for AWS
 * @param retention which backups to keep, applied after each backup and by {@code backy prune}
 *     (default null: keep everything)
 */
public record StorageConfig(
    StorageType type, String prefix, int partSizeMb, Boolean pathStyle, RetentionConfig retention) {

  public static final int DEFAULT_PART_SIZE_MB = 16;

  /** S3's smallest allowed part (all but the last). */
  public static final int MIN_PART_SIZE_MB = 5;

  /** The largest part: S3 allows 5 GiB, but a part is held in one Java array. */
  public static final int MAX_PART_SIZE_MB = 2047;

  public StorageConfig {
    if (type == null) {
      throw new IllegalArgumentException("storage_type is required");
    }
    prefix = prefix == null ? "" : prefix;
    if (type != StorageType.AWS) {
      if (!prefix.isEmpty()) {
        throw new IllegalArgumentException("prefix applies to S3 storage (storage_type aws) only");
      }
      if (pathStyle != null) {
        throw new IllegalArgumentException(
            "path_style applies to S3 storage (storage_type aws) only");
      }
    }
    if (partSizeMb < MIN_PART_SIZE_MB || partSizeMb > MAX_PART_SIZE_MB) {
      throw new IllegalArgumentException(
          "part_size_mb must be between "
              + MIN_PART_SIZE_MB
              + " and "
              + MAX_PART_SIZE_MB
              + " (S3's smallest part; a part is held in memory), got "
              + partSizeMb);
    }
    if (prefix.startsWith("/") || ("/" + prefix + "/").contains("/../")) {
      throw new IllegalArgumentException(
          "prefix '" + prefix + "' must be relative (no leading '/', no '..')");
    }
  }

  /** A storage of the given type with every option at its default. */
  public StorageConfig(StorageType type) {
    this(type, "", DEFAULT_PART_SIZE_MB, null, null);
  }

  @JsonCreator
  static StorageConfig fromJson(
      @JsonProperty(value = "storage_type", required = true) StorageType type,
      @JsonProperty("prefix") String prefix,
      @JsonProperty("part_size_mb") Integer partSizeMb,
      @JsonProperty("path_style") Boolean pathStyle,
      @JsonProperty("retention") RetentionConfig retention) {
    if (partSizeMb != null && type != StorageType.AWS) {
      throw new IllegalArgumentException(
          "part_size_mb applies to S3 storage (storage_type aws) only");
    }
    return new StorageConfig(
        type, prefix, partSizeMb == null ? DEFAULT_PART_SIZE_MB : partSizeMb, pathStyle, retention);
  }

  public StorageConfig withRetention(RetentionConfig r) {
    return new StorageConfig(type, prefix, partSizeMb, pathStyle, r);
  }

  /** The part size in bytes. */
  public long partSizeBytes() {
    return (long) partSizeMb << 20;
  }
}
