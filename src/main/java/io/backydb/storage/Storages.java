package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.config.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the storage a config names, with its location from the environment. */
public final class Storages {

  private Storages() {}

  public static BackupStorage open(StorageConfig config, Environment env) {
    return switch (config.type()) {
      case LOCAL -> new LocalStorage(localPath(env));
      case AWS -> {
        S3Settings s = S3Settings.fromEnvironment(env, config.pathStyle());
        yield new S3Storage(S3Clients.get(s), s.bucket(), config.prefix(), config.partSizeBytes());
      }
    };
  }

  /**
   * Nothing, if the environment holds what {@link #open} needs for this storage; else the one-line
   * config error naming the variable. Makes no client and touches no file.
   */
  public static void checkEnvironment(StorageConfig config, Environment env) {
    switch (config.type()) {
      case LOCAL -> {
        // a file where the folder goes is the variable's mistake, named as list and prune name
        // it (exit 2), not a failed write ("writing F failed: F/.backydb-check-...: Not a
        // directory", exit 1); a missing folder is fine: the backup creates it
        Path local = localPath(env);
        if (java.nio.file.Files.exists(local)) {
          Environment.requireFolder(Environment.LOCAL_PATH, local);
        }
      }
      case AWS -> S3Settings.fromEnvironment(env, config.pathStyle());
    }
  }

  private static Path localPath(Environment env) {
    return Path.of(
        env.requireNonEmpty(Environment.LOCAL_PATH, "for local storage: the backup folder"));
  }

  /**
   * The storage a config names, for a command that reads the backups already in it (list, prune,
   * restore, keys rotate and retire): a LOCAL_PATH that is missing or a file is a configuration
   * error, since "no backups there" of a misspelt folder would hide the mistake (prune would delete
   * nothing, a key rotation re-wrap nothing, a retired key look unused). Only a backup creates the
   * folder.
   */
  public static BackupStorage openExisting(StorageConfig config, Environment env) {
    BackupStorage storage = open(config, env);
    if (storage instanceof LocalStorage local) {
      Environment.requireFolder(Environment.LOCAL_PATH, local.root());
    }
    return storage;
  }

  /** A storage and the object in it that a user's backup location points at. */
  public record Located(BackupStorage storage, String location) {}

  /**
   * The storage holding {@code location} as {@code bin/backy backup} printed it: an {@code
   * s3://bucket/key} URI (credentials, region, endpoint and path style from {@code AWS_S3_*}; the
   * bucket from the URI), or a local path. Its folder becomes the storage; for a {@code .sql} file
   * the folder above it, so that a folder backup's sidecar, which lies beside the folder ({@code
   * NAME.metadata.json} beside {@code NAME/data.sql}), is in the storage too and one file of the
   * folder is refused as it is by a restore, instead of being checked as a backup by itself.
   */
  public static Located forLocation(String location, Environment env) {
    if (location.startsWith("s3://")) {
      S3Location at = S3Location.parse(location);
      // the bucket is the location's: AWS_S3_BUCKET_NAME is not needed
      S3Settings s = S3Settings.forBucket(env, at.bucket());
      // like a local file's folder, the key's "folder" becomes the storage's prefix
      String key = at.key();
      while (key.endsWith("/")) {
        key = key.substring(0, key.length() - 1);
      }
      String prefix = key.substring(0, key.lastIndexOf('/') + 1);
      if (key.endsWith(".sql") && !prefix.isEmpty()) {
        String folder = prefix.substring(0, prefix.length() - 1);
        prefix = folder.substring(0, folder.lastIndexOf('/') + 1);
      }
      BackupStorage storage =
          new S3Storage(
              S3Clients.get(s),
              s.bucket(),
              prefix,
              StorageConfig.DEFAULT_PART_SIZE_MB * (1L << 20));
      return new Located(storage, location);
    }
    Path p = Path.of(location).toAbsolutePath().normalize();
    if (!Files.exists(p) || p.getParent() == null) {
      throw new BackyException(ErrorCode.CONFIG, "backup " + location + " does not exist");
    }
    Path root = p.getParent();
    if (p.getFileName().toString().endsWith(".sql")
        && Files.isRegularFile(p)
        && root.getParent() != null) {
      root = root.getParent();
    }
    return new Located(new LocalStorage(root), p.toString());
  }
}
