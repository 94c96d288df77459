package io.backydb.restore;

import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine;
import io.backydb.engine.DumpContents;
import io.backydb.keys.DataKey;
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
  private DataKey dataKey;
  private DumpContents contents;

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

  /**
   * The data key the decrypt step unwrapped, or null (not encrypted, or not decrypted yet). The
   * decrypt step overwrites it when the restore is over.
   */
  public DataKey dataKey() {
    return dataKey;
  }

  public void dataKey(DataKey k) {
    this.dataKey = k;
  }

  public ApplySummary summary() {
    return summary;
  }

  public void summary(ApplySummary s) {
    this.summary = s;
  }

  /** What the dump holds, as the verify step read it; null until then, or if it did not. */
  public DumpContents contents() {
    return contents;
  }

  public void contents(DumpContents c) {
    this.contents = c;
  }

  public DatabaseEngine.ApplyRequest applyRequest() {
    return new DatabaseEngine.ApplyRequest(
            config.database().features(), config.database().tables(), config.replaceExisting())
        .withContents(contents);
  }
}
