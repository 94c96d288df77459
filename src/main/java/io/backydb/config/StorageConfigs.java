package io.backydb.config;

import java.nio.file.Path;

/**
 * The storage named by a backup or a restore config file, for commands that only need the storage.
 */
public final class StorageConfigs {

  private StorageConfigs() {}

  /**
   * Reads {@code file} as a restore config if {@code backup_path} is one of its top-level keys,
   * else as a backup config; a {@code backup_path} in a value or a comment does not count.
   */
  public static StorageConfig fromConfigFile(Path file) {
    return ConfigLoader.storageFromFile(file);
  }
}
