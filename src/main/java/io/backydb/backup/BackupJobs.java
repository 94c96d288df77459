package io.backydb.backup;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.IntegrityKey;
import io.backydb.codec.IntegrityKeys;
import io.backydb.codec.PayloadCodecs;
import io.backydb.config.BackupConfig;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.mysql.MySqlConnections;
import io.backydb.engine.mysql.MySqlEngine;
import io.backydb.keys.KeyProviders;
import io.backydb.restore.RestoreJob;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.Storages;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a validated config into a job, checking everything the environment must provide first, so
 * that a missing variable fails before anything is written.
 */
public final class BackupJobs {

  private BackupJobs() {}

  public static BackupJob backup(BackupConfig config, Environment env) {
    check(config, env);
    String password = commonEnvironment(env);
    CompletableFuture<IntegrityKey> integrity = integrity(config, env);
    BackupJob job;
    try {
      BackupStorage storage = Storages.open(config.storage(), env);
      // a missing bucket or a folder that cannot be written fails now, not after the dump
      storage.checkDestination();
      job = new BackupJob(config, env, new MySqlEngine(config.database(), password), storage);
    } catch (RuntimeException e) {
      if (integrity != null) {
        // no job will overwrite the HMAC key: it is not needed
        var unused = integrity.thenAccept(IntegrityKey::close);
      }
      throw e;
    }
    if (integrity != null) {
      job.integrityKey(integrity);
    }
    return job;
  }

  /**
   * Everything a backup of {@code config} needs that its config file alone does not say: the
   * environment variables it reads (database password, log folder, storage, keys, HMAC password),
   * the settings checked against what this build supports, and the CA file {@code database.tls_ca}
   * names. Reads that file only, and derives and connects nothing, so that a schedule checks it
   * when it loads, as each of its backups does first.
   *
   * @throws BackyException ({@link ErrorCode#CONFIG}) naming the variable or setting
   */
  public static void check(BackupConfig config, Environment env) {
    commonEnvironment(env);
    checkSupported(config);
    checkEncryption(config, env);
    if (config.integrity().integrityCheck()) {
      IntegrityKeys.checkCreate(integrityType(config), env);
    }
    Storages.checkEnvironment(config.storage(), env);
    MySqlConnections.check(config.database());
  }

  public static RestoreJob restore(RestoreConfig config, Environment env) {
    String password = commonEnvironment(env);
    // the backup is looked for in it: a missing LOCAL_PATH is named, not the backup_path under it
    BackupStorage storage = Storages.openExisting(config.storage(), env);
    return new RestoreJob(config, env, new MySqlEngine(config.database(), password), storage);
  }

  /**
   * The variables backup and restore require (the seed's always-required ones); returns the
   * database password.
   */
  private static String commonEnvironment(Environment env) {
    String password = env.require(Environment.DB_PASSWORD, "always; it may be empty");
    env.requireNonEmpty(
        Environment.LOGGING_PATH, "by backup and restore: the folder for BackyDB's log file");
    return password;
  }

  private static void checkSupported(BackupConfig config) {
    // a bad level fails here, before anything is dumped
    PayloadCodecs.of(config.compression().type()).level(config.compression().level());
  }

  /**
   * With encryption, checks that the config names a known key provider and that the environment
   * holds what it needs, before anything is dumped; the provider itself is made by the encrypt
   * step.
   */
  private static void checkEncryption(BackupConfig config, Environment env) {
    if (config.security().encryption()) {
      KeyProviders.forConfig(config.security(), env).close();
    }
  }

  /** The integrity key, derived while the dump starts; null when integrity is off. */
  private static CompletableFuture<IntegrityKey> integrity(BackupConfig config, Environment env) {
    if (!config.integrity().integrityCheck()) {
      return null;
    }
    return IntegrityKeys.createAsync(integrityType(config), env);
  }

  /** {@code integrity.integrity_type} in lower case; required when integrity is on. */
  private static String integrityType(BackupConfig config) {
    String type = config.integrity().type();
    if (type == null || type.isBlank()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "integrity.integrity_type is required when integrity_check is on: hmac or checksum");
    }
    return type.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
