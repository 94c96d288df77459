package io.backydb.cli;

import io.backydb.OneLine;
import io.backydb.camel.service.FileRunHistory;
import io.backydb.camel.service.JdbcRunHistory;
import io.backydb.camel.service.RunHistory;
import io.backydb.camel.service.RunRecord;
import io.backydb.camel.service.ServiceDatabase;
import io.backydb.camel.service.ServiceSettings;
import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy history}: the runs {@code bin/backy run} recorded, newest first, from the service
 * database when {@code backy.database.url} is set, from the local history file otherwise.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Show the backup and restore runs of `backy run`, newest first.")
final class HistoryCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private final Environment env;

  @Option(
      names = "--routes",
      paramLabel = "DIR",
      defaultValue = "routes",
      description =
          "The routes folder of `backy run`, for its backy.properties (default: ${DEFAULT-VALUE}).")
  Path routes;

  @Option(
      names = "--properties",
      paramLabel = "FILE",
      description = "The settings file given to `backy run --properties`.")
  Path properties;

  int limit;

  @Option(
      names = {"-n", "--limit"},
      paramLabel = "N",
      defaultValue = "20",
      description = "How many runs to show, at least 1 (default: ${DEFAULT-VALUE}).")
  void setLimit(int n) {
    if (n < 1) {
      // 0 printed "No runs recorded" and a negative number became an SQL syntax error (LIMIT -1)
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "Invalid value for option '--limit': must be at least 1, got " + n);
    }
    limit = n;
  }

  HistoryCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    ServiceSettings settings = ServiceSettings.load(routes, properties, env);
    List<RunRecord> runs;
    String where;
    if (settings.databaseUrl().isPresent()) {
      try (ServiceDatabase db = ServiceDatabase.open(settings)) {
        RunHistory h = new JdbcRunHistory(db.dataSource(), db.where());
        runs = h.latest(limit);
        where = h.describe();
      }
    } else {
      RunHistory h = new FileRunHistory(settings.historyFile());
      runs = h.latest(limit);
      where = h.describe();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (runs.isEmpty()) {
      out.println("No runs recorded in " + where);
      return 0;
    }
    out.printf(
        "%-20s %-8s %-10s %9s %-16s %10s %-22s %s%n",
        "STARTED (UTC)",
        "KIND",
        "STATUS",
        "SECONDS",
        "DATABASE",
        "SIZE",
        "TRIGGER",
        "LOCATION / ERROR");
    for (RunRecord r : runs) {
      // one line per run, whatever the names in it hold
      String line =
          String.format(
              "%-20s %-8s %-10s %9s %-16s %10s %-22s %s",
              time(r.startedAt()),
              r.operation(),
              r.status(),
              r.durationMs() == null ? "" : String.format("%.1f", r.durationMs() / 1000.0),
              r.database() == null ? "" : r.database(),
              r.storedBytes() == null ? "" : Sizes.human(r.storedBytes()),
              r.trigger() == null ? "" : r.trigger(),
              r.error() != null ? "error: " + r.error() : locationAndNotes(r));
      out.println(OneLine.of(line));
    }
    return 0;
  }

  /**
   * As the restore's summary line says them: what a restore limited to tables left out, the INSERT
   * triggers that fired for every row it loaded into existing tables, and the tables it created in
   * the default engine as the target lacks theirs.
   */
  private static String locationAndNotes(RunRecord r) {
    String shown = r.location() == null ? "" : r.location();
    if (r.leftOut() != null) {
      shown += " (left out as limited to tables: " + String.join(", ", r.leftOut()) + ")";
    }
    if (r.insertTriggers() != null) {
      shown +=
          " (INSERT triggers fired for every row: " + String.join(", ", r.insertTriggers()) + ")";
    }
    if (r.engineSubstitutes() != null) {
      shown +=
          " (tables created in the default engine, as the target lacks theirs: "
              + String.join(", ", r.engineSubstitutes())
              + ")";
    }
    return shown;
  }

  private static String time(Instant i) {
    return i == null ? "" : i.toString().replace("T", " ").replaceAll("\\.\\d+Z$|Z$", "");
  }
}
