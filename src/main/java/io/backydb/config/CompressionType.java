package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Compression codecs: the seed's zip and tar, plus zstd. */
public enum CompressionType {
  NONE,
  ZIP,
  TAR,
  ZSTD;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CompressionType ofKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
