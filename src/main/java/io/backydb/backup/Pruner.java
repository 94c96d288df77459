package io.backydb.backup;

import io.backydb.config.RetentionConfig;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a retention policy to the finished backups of one database in a storage. Backups of other
 * databases in the same storage, and anything not listed as a finished backup, are never touched. A
 * backup is removed sidecar first, so that a removal cut short leaves no half-backup listed.
 */
public final class Pruner {

  private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

  private final BackupStorage storage;

  public Pruner(BackupStorage storage) {
    this.storage = storage;
  }

  /** What a prune decided, and did unless it was a dry run. */
  public record Result(
      List<BackupCatalog.Entry> kept,
      List<BackupCatalog.Entry> removed,
      Map<String, List<String>> reasons,
      boolean dryRun) {}

  /**
   * Keeps what {@code rules} keep among the backups of {@code database}, removes the rest unless
   * {@code dryRun}.
   */
  public Result prune(RetentionConfig rules, String database, boolean dryRun) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, BackupCatalog.Entry> byId = new HashMap<>();
    List<RetentionPolicy.Backup> backups = new ArrayList<>();
    for (BackupCatalog.Entry e : new BackupCatalog(storage).list(problems)) {
      BackupMetadata m = e.metadata();
      if (m.source() != null && database.equals(m.source().database()) && m.startedAt() != null) {
        String id = m.name();
        byId.put(id, e);
        backups.add(new RetentionPolicy.Backup(id, m.startedAt()));
      }
    }
    for (String p : problems) {
      LOG.warn("retention: skipping unreadable metadata {}", p);
    }
    RetentionPolicy.Plan plan = new RetentionPolicy(rules).plan(backups);
    List<BackupCatalog.Entry> kept = plan.keep().stream().map(b -> byId.get(b.id())).toList();
    List<BackupCatalog.Entry> removed = plan.remove().stream().map(b -> byId.get(b.id())).toList();
    if (!dryRun) {
      for (BackupCatalog.Entry e : removed) {
        remove(e.metadata());
        LOG.info("retention: removed backup {} ({})", e.metadata().name(), e.location());
      }
    }
    return new Result(kept, removed, plan.reasons(), dryRun);
  }

  /** Deletes a backup: its sidecar first, then its files (only those named after the backup). */
  private void remove(BackupMetadata m) throws IOException {
    String name = m.name();
    storage.delete(BackupMetadata.sidecarName(name));
    if (m.files() == null) {
      return;
    }
    for (BackupMetadata.StoredFile f : m.files()) {
      String object = f.name();
      boolean ours =
          object.startsWith(name + "/")
              || object.equals(name + ".sql")
              || object.equals(name + ".backy");
      if (ours) {
        storage.delete(object);
      } else {
        LOG.warn("retention: not deleting {}: not a file of backup {}", object, name);
      }
    }
  }
}
