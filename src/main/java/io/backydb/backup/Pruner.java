package io.backydb.backup;

import io.backydb.config.BackupConfig;
import io.backydb.config.Feature;
import io.backydb.config.RetentionConfig;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a retention policy to the finished backups of one {@link Pool}: one database of one
 * server, with one selection of features and tables, written at the storage's top level. Backups of
 * other databases or other servers in the same storage, backups of another selection (an hourly
 * backup of one table beside the nightly full ones), backups in a sub-folder (or under a longer S3
 * prefix), and anything not listed as a finished backup are never touched. A backup is removed
 * sidecar first, so that a removal cut short leaves no half-backup listed.
 *
 * <p>It also removes the pool's database's abandoned {@link IncompleteBackups}: the files a killed
 * backup left without a sidecar, which nothing else would ever remove. Their server and selection
 * are unknown (they are recorded in the sidecar), so the database in their name decides. A
 * single-file backup without its sidecar holds all its data: it is removed only once a finished
 * backup of the pool started after it was written, so it is never the newest copy there is.
 */
public final class Pruner {

  private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

  private final BackupStorage storage;

  public Pruner(BackupStorage storage) {
    this.storage = storage;
  }

  /**
   * The backups one backup config's retention governs: those like the config's own backups, as
   * their sidecars record them: the same {@code source} database, host (compared without case) and
   * port, the same {@code features} and the same {@code table_filter} (both compared as sets; no
   * filter means every table).
   *
   * @param tables the table filter; empty for every table
   */
  public record Pool(
      String host, int port, String database, Set<String> features, Set<String> tables) {

    public Pool {
      features = Set.copyOf(features);
      tables = Set.copyOf(tables);
    }

    public static Pool of(BackupConfig c) {
      return new Pool(
          c.database().host(),
          c.database().port(),
          c.database().dbName(),
          c.database().backupFeatures().selected().stream()
              .map(Feature::key)
              .collect(Collectors.toSet()),
          Set.copyOf(c.database().tables()));
    }

    /** Whether a finished backup belongs to this pool. */
    public boolean contains(BackupMetadata m) {
      BackupMetadata.Source s = m.source();
      return s != null
          && database.equals(s.database())
          && s.host() != null
          && host.toLowerCase(Locale.ROOT).equals(s.host().toLowerCase(Locale.ROOT))
          && port == s.port()
          && m.features() != null
          && features.equals(new HashSet<>(m.features()))
          && tables.equals(m.tableFilter() == null ? Set.of() : new HashSet<>(m.tableFilter()));
    }

    /** For messages: {@code shop on db1:3306} (and {@code , tables [orders]} when filtered). */
    @Override
    public String toString() {
      return database
          + " on "
          + host
          + ":"
          + port
          + (tables.isEmpty() ? "" : ", tables " + new java.util.TreeSet<>(tables));
    }
  }

  /**
   * What a prune decided, and did unless it was a dry run.
   *
   * @param problems the sidecars that could not be read or lack what a prune needs ({@link
   *     BackupCatalog#list}): skipped, so never deleted
   * @param incomplete the abandoned incomplete backups of the pool's database, removed unless it
   *     was a dry run
   */
  public record Result(
      List<BackupCatalog.Entry> kept,
      List<BackupCatalog.Entry> removed,
      Map<String, List<String>> reasons,
      boolean dryRun,
      List<String> problems,
      List<IncompleteBackups.Leftover> incomplete) {}

  /**
   * Keeps what {@code rules} keep among the backups of {@code pool}, removes the rest unless {@code
   * dryRun}.
   *
   * @param current the name of the backup the calling run has just written, or null: it is kept
   *     whatever the rules say (a backup that started earlier than another but finished later is
   *     not the newest by its start time, yet it is the one this run promised)
   */
  public Result prune(RetentionConfig rules, Pool pool, String current, boolean dryRun)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, BackupCatalog.Entry> byId = new HashMap<>();
    List<RetentionPolicy.Backup> backups = new ArrayList<>();
    Set<String> databases = new HashSet<>();
    for (BackupCatalog.Entry e : new BackupCatalog(storage).list(problems)) {
      BackupMetadata m = e.metadata();
      if (m.source() != null && m.source().database() != null) {
        databases.add(m.source().database());
      }
      if (m.startedAt() != null && m.name() != null && sameLevel(e) && pool.contains(m)) {
        byId.put(m.name(), e);
        backups.add(new RetentionPolicy.Backup(m.name(), m.startedAt()));
      }
    }
    for (String p : problems) {
      LOG.warn("retention: skipping unreadable metadata {}", p);
    }
    RetentionPolicy.Plan plan = new RetentionPolicy(rules).plan(backups);
    List<BackupCatalog.Entry> kept = new ArrayList<>();
    List<BackupCatalog.Entry> removed = new ArrayList<>();
    Map<String, List<String>> reasons = new java.util.LinkedHashMap<>(plan.reasons());
    for (RetentionPolicy.Backup b : plan.keep()) {
      kept.add(byId.get(b.id()));
    }
    for (RetentionPolicy.Backup b : plan.remove()) {
      if (b.id().equals(current)) {
        kept.add(byId.get(b.id()));
        reasons.put(b.id(), List.of("written by this run"));
      } else {
        removed.add(byId.get(b.id()));
      }
    }
    kept.sort(
        java.util.Comparator.comparing((BackupCatalog.Entry e) -> e.metadata().startedAt())
            .reversed());
    if (!dryRun) {
      for (BackupCatalog.Entry e : removed) {
        remove(e);
        LOG.info("retention: removed backup {} ({})", e.metadata().name(), e.location());
      }
    }
    Instant newest =
        backups.stream().map(RetentionPolicy.Backup::time).max(Instant::compareTo).orElse(null);
    Instant supersedes = BackupNaming.sharesNames(pool.database(), databases) ? null : newest;
    List<IncompleteBackups.Leftover> incomplete = abandonedIncomplete(pool, supersedes, dryRun);
    return new Result(
        List.copyOf(kept),
        List.copyOf(removed),
        reasons,
        dryRun,
        List.copyOf(problems),
        incomplete);
  }

  /**
   * The abandoned incomplete backups of the pool's database (by their name), removed unless {@code
   * dryRun}; a single file only if {@code newest}, the start of the pool's newest finished backup,
   * is after it was written. {@code newest} is null, so no single file is removed, where the name
   * may be another database's ({@link BackupNaming#sharesNames}): {@code shop eu} and {@code
   * shop_eu} both name their backups {@code shop_eu_...}, and a newer backup of one does not make a
   * file of the other an older copy. A folder is removed whoever's it is: it is no backup, and the
   * other database's prune would remove it alike.
   */
  private List<IncompleteBackups.Leftover> abandonedIncomplete(
      Pool pool, Instant newest, boolean dryRun) throws IOException {
    IncompleteBackups incomplete = new IncompleteBackups(storage);
    Instant now = Instant.now();
    List<IncompleteBackups.Leftover> abandoned = new ArrayList<>();
    for (IncompleteBackups.Leftover f : incomplete.list()) {
      boolean superseded = f.folder() || (newest != null && newest.isAfter(f.lastWrite()));
      if (BackupNaming.isNameOf(pool.database(), f.name()) && f.abandoned(now) && superseded) {
        abandoned.add(f);
      }
    }
    if (dryRun || abandoned.isEmpty()) {
      return List.copyOf(abandoned);
    }
    // the temporary file of the write the backup was killed in stays in its folder otherwise (its
    // data files gone, the folder kept, and no longer listed as incomplete)
    storage.cleanPartials();
    for (IncompleteBackups.Leftover f : abandoned) {
      incomplete.remove(f);
      LOG.info(
          "retention: removed incomplete backup {} {} ({} file(s), no metadata, last"
              + " written {}): a backup stopped before it finished left it",
          f.folder() ? "folder" : "file",
          f.location(),
          f.files().size(),
          f.lastWrite());
    }
    return List.copyOf(abandoned);
  }

  /**
   * Whether a listed backup sits where this storage's backups are written: its sidecar at the top
   * level, named after the backup. A sub-folder's backups (or those under a longer S3 prefix)
   * belong to another config, and {@link #remove} could not delete them by their name anyway.
   */
  private static boolean sameLevel(BackupCatalog.Entry e) {
    return e.sidecar().equals(BackupMetadata.sidecarName(e.metadata().name()))
        && !e.sidecar().contains("/");
  }

  /**
   * Deletes a backup: its sidecar first, then its files (only those named after the backup), in the
   * sidecar's folder, where the listing found them ({@link BackupCatalog.Entry#folder}; always the
   * top level here, see {@link #sameLevel}).
   */
  private void remove(BackupCatalog.Entry e) throws IOException {
    BackupMetadata m = e.metadata();
    String name = m.name();
    storage.delete(e.sidecar());
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
        storage.delete(e.folder() + object);
      } else {
        LOG.warn("retention: not deleting {}: not a file of backup {}", object, name);
      }
    }
  }
}
