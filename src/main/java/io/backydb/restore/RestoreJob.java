package io.backydb.restore;

import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine;
import io.backydb.storage.BackupStorage;
import java.time.Instant;

/** One restore run as it moves through the restore route's steps. */
public final class RestoreJob {

  private final RestoreConfig config;
  private final Environment environment;
  private final DatabaseEngine engine;
  private final BackupStorage storage;
  private final Instant startedAt = Instant.now();
  private BackupSource source;
  private ApplySummary summary;

  public RestoreJob(
      RestoreConfig config, Environment environment, DatabaseEngine engine, BackupStorage storage) {
    this.config = config;
    this.environment = environment;
    this.engine = engine;
    this.storage = storage;
  }

  public RestoreConfig config() {
    return config;
  }

  public Environment environment() {
    return environment;
  }

  public DatabaseEngine engine() {
    return engine;
  }

  public BackupStorage storage() {
    return storage;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public BackupSource source() {
    return source;
  }

  public void source(BackupSource s) {
    this.source = s;
  }

  public ApplySummary summary() {
    return summary;
  }

  public void summary(ApplySummary s) {
    this.summary = s;
  }

  /**
   * Whether the restore must know what the dump holds before it applies anything, and so has the
   * verify step read it: to check its table list against the dump itself (the sidecar may be
   * missing, and lists no tables for a backup without data).
   */
  public boolean needsDumpContents() {
    return !config.database().tables().isEmpty();
  }

  public DatabaseEngine.ApplyRequest applyRequest() {
    return new DatabaseEngine.ApplyRequest(
        config.database().features(), config.database().tables(), config.replaceExisting());
  }
}
