package io.backydb.config;

import java.nio.file.Path;

/**
 * The storage named by a backup or a restore config file, for commands that only need the storage.
 */
public final class StorageConfigs {

  private StorageConfigs() {}

  /**
   * Reads {@code file} as a restore config if it has {@code backup_path}, else as a backup config.
   */
  public static StorageConfig fromConfigFile(Path file) {
    String text;
    try {
      text = java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      // let the loader report the missing or unreadable file in its usual words
      return ConfigLoader.backupFromFile(file).storage();
    }
    return text.contains("backup_path")
        ? ConfigLoader.restoreFromFile(file).storage()
        : ConfigLoader.backupFromFile(file).storage();
  }
}
