package io.backydb.storage;

import io.backydb.config.Environment;
import io.backydb.config.StorageConfig;
import java.nio.file.Path;

/** Opens the storage a config names, with its location from the environment. */
public final class Storages {

  private Storages() {}

  public static BackupStorage open(StorageConfig config, Environment env) {
    return switch (config.type()) {
      case LOCAL ->
          new LocalStorage(
              Path.of(
                  env.requireNonEmpty(
                      Environment.LOCAL_PATH, "for local storage: the backup folder")));
    };
  }
}
