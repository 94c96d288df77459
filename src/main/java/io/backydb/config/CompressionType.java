package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonValue;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.util.Locale;

/** Compression codecs: the seed's zip and tar, plus zstd. */
public enum CompressionType {
  NONE("none", 0, 0),
  ZIP("zip", 0, 9),
  TAR("tar.gz", 1, 9),
  /** zstd's levels: 1 to {@code ZSTD_maxCLevel()}, which is 22. */
  ZSTD("zstd", 1, 22);

  private final String codecName;
  private final int minLevel;
  private final int maxLevel;

  CompressionType(String codecName, int minLevel, int maxLevel) {
    this.codecName = codecName;
    this.minLevel = minLevel;
    this.maxLevel = maxLevel;
  }

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CompressionType ofKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }

  /** The lowest {@code compression_level} this codec takes. */
  public int minLevel() {
    return minLevel;
  }

  /** The highest {@code compression_level} this codec takes. */
  public int maxLevel() {
    return maxLevel;
  }

  /**
   * Refuses a {@code compression_level} this codec does not take, with a one-line config error
   * naming the key and the codec's range.
   */
  public void checkLevel(int level) {
    if (level < minLevel || level > maxLevel) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "compression.compression_level "
              + level
              + " is out of range for "
              + codecName
              + " ("
              + minLevel
              + " to "
              + maxLevel
              + ")");
    }
  }
}
