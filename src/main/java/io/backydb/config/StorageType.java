package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where backups are kept. */
public enum StorageType {
  LOCAL;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static StorageType ofKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
