package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed's {@code storage} section. Where exactly comes from the environment: {@code LOCAL_PATH}
 * for local storage.
 *
 * @param type {@code local} (required)
 */
public record StorageConfig(StorageType type) {

  @JsonCreator
  static StorageConfig fromJson(
      @JsonProperty(value = "storage_type", required = true) StorageType type) {
    return new StorageConfig(type);
  }
}
