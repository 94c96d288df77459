package io.backydb.cli;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.OneLine;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.config.Features;
import io.backydb.config.RestoreConfig;
import io.backydb.restore.RestoreResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backy restore --config FILE}: the seed's restore config, with optional limits. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore a backup into a database as the config file says.",
      "The backup is read and verified completely before the first statement runs (a plain SQL"
          + " backup without its metadata sidecar: only its completion marker, as nothing else records"
          + " what it should hold)."
    })
final class RestoreCommand extends BackyCommand {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "Restore config, JSON or YAML: database, backup_path, storage.")
  Path config;

  @Option(
      names = "--replace-existing",
      description =
          "Restore even if the target database has tables, replacing the backup's objects;"
              + " a table whose rows are restored without its definition must have the columns"
              + " they fill, and is emptied first (same as replace_existing: true).")
  boolean replaceExisting;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "T1,T2",
      description =
          "Restore only these tables (and sequences): their definitions, data and triggers;"
              + " views, functions, procedures and events are left out (overrides"
              + " database.tables).")
  List<String> tables;

  @Option(
      names = "--features",
      paramLabel = "F1,F2",
      description = "Restore only these features, e.g. tables,data (overrides database.features).")
  String features;

  @Option(
      names = "--definers",
      paramLabel = "keep|drop|rewrite",
      description =
          "DEFINER of views, routines, triggers and events: keep (default), drop (you become the"
              + " definer) or rewrite to --definer (overrides database.definers).")
  String definers;

  @Option(
      names = "--definer",
      paramLabel = "USER@HOST",
      description = "The definer for --definers rewrite (overrides database.definer).")
  String definer;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Connections that load data at once (overrides database.threads).")
  Integer threads;

  RestoreCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() {
    RestoreConfig rc = ConfigLoader.restoreFromFile(config);
    var db = rc.database();
    if (tables != null) {
      try {
        db = db.withTables(tables);
      } catch (IllegalArgumentException e) {
        throw new BackyException(ErrorCode.CONFIG, "--tables: " + e.getMessage());
      }
    }
    if (features != null) {
      try {
        db = db.withFeatures(Features.parse(features));
      } catch (IllegalArgumentException e) {
        throw new BackyException(ErrorCode.CONFIG, "--features: " + e.getMessage());
      }
    }
    if (definers != null || definer != null) {
      try {
        db =
            db.withDefiners(
                definers != null ? definers : (definer != null ? "rewrite" : db.definers()),
                definer != null ? definer : db.definer());
      } catch (IllegalArgumentException e) {
        throw new BackyException(ErrorCode.CONFIG, "--definers: " + e.getMessage());
      }
    }
    if (threads != null) {
      db = Threads.apply(db, threads);
    }
    rc = rc.withDatabase(db);
    if (replaceExisting) {
      rc = rc.withReplaceExisting(true);
    }
    try (BackyDB backy = new BackyDB(env)) {
      RestoreResult r = backy.restore(rc);
      long rows = r.summary().tables().stream().mapToLong(t -> t.rows()).sum();
      String done =
          String.format(
              Locale.ROOT,
              "Restored %s into database %s: %s; %,d statement(s), %,d row(s) in %.1f s",
              r.backupLocation(),
              r.database(),
              // a backup of a database without objects applies its header's statements only
              r.summary().features().isEmpty()
                  ? "no objects"
                  : String.join(", ", r.summary().features()),
              r.summary().statements(),
              rows,
              r.durationMs() / 1000.0);
      if (!r.summary().leftOut().isEmpty()) {
        done +=
            "; left out as the restore is limited to tables: "
                + String.join(", ", r.summary().leftOut());
      }
      if (!r.summary().notInBackup().isEmpty()) {
        done +=
            "; asked for but not in the backup: " + String.join(", ", r.summary().notInBackup());
      }
      if (!r.summary().insertTriggers().isEmpty()) {
        // warned of on stderr before the first row; the summary keeps it with the run
        done +=
            "; INSERT triggers fired for every row: "
                + String.join(", ", r.summary().insertTriggers());
      }
      if (!r.summary().engineSubstitutes().isEmpty()) {
        // likewise
        done +=
            "; tables created in the default engine, as the target lacks theirs: "
                + String.join(", ", r.summary().engineSubstitutes());
      }
      out().println(OneLine.of(done));
      // the log file keeps what each run did, failures (BackyCli) and successes alike
      LoggerFactory.getLogger(RestoreCommand.class).info(done);
      return 0;
    }
  }
}
