package io.backydb.cli;

import io.backydb.BackyDB;
import io.backydb.OneLine;
import io.backydb.backup.BackupResult;
import io.backydb.config.BackupConfig;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.format.BackupMetadata;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backy backup --config FILE}: prints the stored backup's location as its last line. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Back up a database as the config file says.",
      "The last line of output is the stored backup's location."
    })
final class BackupCommand extends BackyCommand {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "Backup config, JSON or YAML (the seed's schema).")
  Path config;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Connections that read the database at once (overrides database.threads).")
  Integer threads;

  BackupCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() {
    try (BackyDB backy = new BackyDB(env)) {
      BackupResult r =
          threads == null ? backy.backup(config) : backy.backup(withThreads(config, threads));
      BackupMetadata m = r.metadata();
      // Locale.ROOT, as the progress lines: the same digits on every machine, for people and
      // scripts
      String done =
          String.format(
              Locale.ROOT,
              "Backed up database %s: %d table(s), %,d row(s), %s stored in %.1f s",
              m.source().database(),
              m.tables().size(),
              m.totalRows(),
              Sizes.human(m.sizes().storedBytes()),
              m.durationMs() / 1000.0);
      out().println(OneLine.of(done));
      out().println(r.location());
      // the log file keeps what each run did, failures (BackyCli) and successes alike
      LoggerFactory.getLogger(BackupCommand.class).info("{}: {}", done, r.location());
      return 0;
    }
  }

  private static BackupConfig withThreads(Path file, int n) {
    BackupConfig c = ConfigLoader.backupFromFile(file);
    return new BackupConfig(
        Threads.apply(c.database(), n), c.compression(), c.security(), c.integrity(), c.storage());
  }
}
