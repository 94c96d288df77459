package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.OneLine;
import io.backydb.backup.BackupCatalog;
import io.backydb.backup.IncompleteBackups;
import io.backydb.backup.Pruner;
import io.backydb.config.BackupConfig;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.Storages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy prune --config FILE [--dry-run]}: applies the config's {@code storage.retention} to
 * the backups of its database on its server, as happens after every backup.
 */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    // one paragraph per line: picocli wraps them at the terminal's width
    description = {
      "Delete the backups that the config's storage.retention does not keep.",
      "Only backups of the config's database on its host and port, with its features and"
          + " tables, are considered. The newest backup is always kept; backups of other"
          + " databases, servers or selections, and backups in sub-folders, are never touched.",
      "Backups of the database that were stopped before they wrote their metadata are deleted"
          + " once nothing has been written to them for 24 hours; a single-file one (complete but"
          + " for its metadata) only once a newer backup has finished."
    })
final class PruneCommand extends BackyCommand {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "A backup config with storage.retention.")
  Path config;

  @Option(
      names = {"-n", "--dry-run"},
      description = "Only print what would be deleted.")
  boolean dryRun;

  PruneCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() throws Exception {
    BackupConfig c = ConfigLoader.backupFromFile(config);
    if (c.storage().retention() == null) {
      throw new BackyException(
          ErrorCode.CONFIG,
          config
              + ": storage.retention is not set, so nothing would be pruned"
              + " (add e.g. \"retention\": {\"keep_last\": 7})");
    }
    // "Deleted 0 backup(s)" of a misspelt LOCAL_PATH would hide the typo
    var storage = Storages.openExisting(c.storage(), env);
    Pruner.Pool pool = Pruner.Pool.of(c);
    Pruner.Result r = new Pruner(storage).prune(c.storage().retention(), pool, null, dryRun);
    for (BackupCatalog.Entry e : r.kept()) {
      BackupMetadata m = e.metadata();
      out()
          .printf(
              "keep    %-36s %s  (%s)%n",
              m.name(), Ages.when(m.startedAt()), String.join(", ", r.reasons().get(m.name())));
    }
    for (BackupCatalog.Entry e : r.removed()) {
      out()
          .printf(
              "%s %-36s %s  %s%n",
              dryRun ? "would delete" : "deleted",
              e.metadata().name(),
              Ages.when(e.metadata().startedAt()),
              e.location());
    }
    Instant now = Instant.now();
    for (IncompleteBackups.Leftover f : r.incomplete()) {
      out()
          .printf(
              "%s %-36s incomplete (no metadata), %d file(s), last written %s ago  %s%n",
              dryRun ? "would delete" : "deleted",
              f.name(),
              f.files().size(),
              Ages.human(Duration.between(f.lastWrite(), now)),
              f.location());
    }
    out()
        .printf(
            "%s %d backup(s) of %s, kept %d%s%n",
            dryRun ? "Dry run: would delete" : "Deleted",
            r.removed().size(),
            pool,
            r.kept().size(),
            r.incomplete().isEmpty()
                ? ""
                : "; and "
                    + r.incomplete().size()
                    + " incomplete backup(s) (no metadata) left by backups stopped before they"
                    + " finished");
    for (String p : r.problems()) {
      err()
          .println(
              "backy: warning: unreadable metadata " + OneLine.of(p) + " (skipped, not deleted)");
    }
    return 0;
  }
}
