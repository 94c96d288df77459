package io.backydb.cli;

import io.backydb.backup.BackupCatalog;
import io.backydb.backup.IncompleteBackups;
import io.backydb.config.Environment;
import io.backydb.config.StorageConfigs;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.Storages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy list --config FILE}: the finished backups in the config's storage, newest first,
 * then what backups stopped before their metadata left (or what one still running writes).
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the backups in the storage a config file names, newest first.")
final class ListCommand extends BackyCommand {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "A backup or restore config; only its storage section is used.")
  Path config;

  ListCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() throws Exception {
    // an empty listing of a misspelt LOCAL_PATH would hide the typo
    var storage = Storages.openExisting(StorageConfigs.fromConfigFile(config), env);
    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries = new BackupCatalog(storage).list(problems);
    // what a killed backup left without its sidecar: not listed as a backup, but it takes space
    // until a prune removes it
    List<IncompleteBackups.Leftover> incomplete = new IncompleteBackups(storage).list();
    int nameWidth = 0;
    if (entries.isEmpty()) {
      out().println("No backups in " + storage.location("x").replaceAll("/x$", ""));
    } else {
      Table table =
          new Table(
              new String[] {
                "NAME", "STARTED (UTC)", "DATABASE", "FEATURES", "ROWS", "SIZE", "LOCATION"
              },
              4,
              5);
      for (BackupCatalog.Entry e : entries) {
        BackupMetadata m = e.metadata();
        table.row(
            m.name(),
            Ages.when(m.startedAt()),
            m.source().database(),
            String.join(",", m.features()),
            Long.toString(m.totalRows()),
            Sizes.human(m.sizes().storedBytes()),
            e.location());
      }
      // the incomplete backups' names, below, line up with the finished ones'
      for (IncompleteBackups.Leftover f : incomplete) {
        table.atLeast(0, f.name().length());
      }
      nameWidth = table.width(0);
      table.print(out());
    }
    Instant now = Instant.now();
    for (IncompleteBackups.Leftover f : incomplete) {
      out()
          .printf(
              "%-"
                  + Math.max(nameWidth, 1)
                  + "s  incomplete (no metadata), %d file%s, last"
                  + " written %s ago  %s%n",
              f.name(),
              f.files().size(),
              f.files().size() == 1 ? "" : "s",
              Ages.human(Duration.between(f.lastWrite(), now)),
              f.location());
    }
    for (String p : problems) {
      err().println("backy: warning: unreadable metadata " + p);
    }
    return 0;
  }
}
