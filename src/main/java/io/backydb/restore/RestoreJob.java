package io.backydb.restore;

import io.backydb.config.Environment;
import io.backydb.config.Feature;
import io.backydb.config.Features;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine;
import io.backydb.engine.DumpContents;
import io.backydb.format.BackupMetadata;
import io.backydb.keys.DataKey;
import io.backydb.storage.BackupStorage;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

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

  /**
   * Whether the restore must know what the dump holds before it applies anything, and so has the
   * verify step read it: to check its table list against the dump itself (the sidecar may be
   * missing, and lists no tables for a backup without data), or to check the target's tables where
   * this restore may load rows or create triggers without creating their tables, because its
   * features leave the definitions out or the backup may hold none. The sidecar answers the last
   * question when it lists the tables feature, so a whole-backup restore reads nothing more than
   * the first bytes of each file, where a dump that holds table definitions begins with them: a
   * sidecar that claims them for a dump without them was changed ({@link SidecarContents}). A
   * restore limited to features reads the dump's sections: one that selects none of them is refused
   * ({@link FeatureSelection}), and a sidecar that claims a feature the dump lacks, which the
   * restore believed before it read the backup, was changed ({@link SidecarContents}). A backup
   * whose sidecar lists views, routines, triggers or events is read too where their DEFINERs are
   * kept: whose objects they are decides the privilege the restore needs ({@code
   * RestorePrivileges}), checked before anything is applied.
   */
  public boolean needsDumpContents() {
    Features features = config.database().features();
    Set<Feature> listed = listedFeatures();
    boolean rowsOrTriggers = features == null || features.data() || features.triggers();
    boolean createsTables =
        (features == null || features.tables())
            && listed != null
            && listed.contains(Feature.TABLES);
    boolean keptDefiners =
        config.database().definers().equals("keep")
            && listed != null
            && listed.stream().anyMatch(f -> f != Feature.TABLES && f != Feature.DATA);
    return !config.database().tables().isEmpty()
        || (rowsOrTriggers && !createsTables)
        || features != null
        || keptDefiners;
  }

  /** The features the backup's sidecar lists, or null (no sidecar, or one that lists none). */
  private Set<Feature> listedFeatures() {
    BackupMetadata m = source == null ? null : source.metadata();
    if (m == null || m.features() == null) {
      return null;
    }
    Set<Feature> listed = EnumSet.noneOf(Feature.class);
    for (String key : m.features()) {
      Arrays.stream(Feature.values()).filter(f -> f.key().equals(key)).forEach(listed::add);
    }
    return listed;
  }

  public DatabaseEngine.ApplyRequest applyRequest() {
    return new DatabaseEngine.ApplyRequest(
            config.database().features(), config.database().tables(), config.replaceExisting())
        .withContents(contents, listedFeatures());
  }
}
