package io.backydb.backup;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.BackupConfig;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.mysql.MySqlEngine;
import io.backydb.restore.RestoreJob;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.Storages;

/**
 * Turns a validated config into a job, checking everything the environment must provide first, so
 * that a missing variable fails before anything is written.
 */
public final class BackupJobs {

  private BackupJobs() {}

  public static BackupJob backup(BackupConfig config, Environment env) {
    String password = commonEnvironment(env);
    checkSupported(config);
    BackupStorage storage = Storages.open(config.storage(), env);
    return new BackupJob(config, env, new MySqlEngine(config.database(), password), storage);
  }

  public static RestoreJob restore(RestoreConfig config, Environment env) {
    String password = commonEnvironment(env);
    BackupStorage storage = Storages.open(config.storage(), env);
    return new RestoreJob(config, env, new MySqlEngine(config.database(), password), storage);
  }

  /** The seed's always-required variables; returns the database password. */
  private static String commonEnvironment(Environment env) {
    String password = env.require(Environment.DB_PASSWORD, "always; it may be empty");
    env.requireNonEmpty(Environment.LOGGING_PATH, "always: the folder for BackyDB's log file");
    return password;
  }

  private static void checkSupported(BackupConfig config) {
    if (config.compression().compression()) {
      throw new BackyException(
          ErrorCode.CONFIG, "compression is not supported by this version of BackyDB yet");
    }
    if (config.security().encryption()) {
      throw new BackyException(
          ErrorCode.CONFIG, "encryption is not supported by this version of BackyDB yet");
    }
    if (config.integrity().integrityCheck()) {
      throw new BackyException(
          ErrorCode.CONFIG, "integrity checks are not supported by this version of BackyDB yet");
    }
  }
}
