package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed's {@code compression} section.
 *
 * @param compression whether to compress (default false)
 * @param type the codec (default zstd when compression is on)
 * @param level codec level, or null for the codec's default
 */
public record CompressionConfig(boolean compression, CompressionType type, Integer level) {

  public static final CompressionConfig NONE =
      new CompressionConfig(false, CompressionType.NONE, null);

  @JsonCreator
  static CompressionConfig fromJson(
      @JsonProperty("compression") Boolean compression,
      @JsonProperty("compression_type") CompressionType type,
      @JsonProperty("compression_level") Integer level) {
    if (compression == null && (type != null || level != null)) {
      throw new IllegalArgumentException(
          SectionSwitch.missing("compression.compression", "the backup would not be compressed"));
    }
    if (type == CompressionType.NONE) {
      // "none" is how a backup's header records an uncompressed payload, not a codec to ask for:
      // with compression: true it used to switch compression off silently
      throw new IllegalArgumentException(
          "'compression.compression_type' has unsupported value 'none' (expected one of: "
              + java.util.Arrays.stream(CompressionType.values())
                  .filter(t -> t != CompressionType.NONE)
                  .map(CompressionType::key)
                  .collect(java.util.stream.Collectors.joining(", "))
              + "; for no compression set compression: false)");
    }
    if (level != null) {
      // checked whether or not compression is on: a config that switches it on later must not
      // turn out to be wrong then; without compression_type the range is the default codec's
      (type == null ? CompressionType.ZSTD : type).checkLevel(level);
    }
    boolean on = compression != null && compression;
    CompressionType t = on ? (type == null ? CompressionType.ZSTD : type) : CompressionType.NONE;
    return new CompressionConfig(on, t, level);
  }
}
