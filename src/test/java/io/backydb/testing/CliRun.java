package io.backydb.testing;

import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * One {@code bin/backy} command run in the test's JVM against the test server (root, empty
 * password), with its exit code and what it printed.
 */
public record CliRun(int exit, String out, String err) {

  /** Runs {@code args} with LOGGING_PATH {@code logs} and LOCAL_PATH {@code backups}. */
  public static CliRun backy(Path logs, Path backups, String... args) {
    return backy(
        Map.of(
            "DB_PASSWORD", "", "LOGGING_PATH", logs.toString(), "LOCAL_PATH", backups.toString()),
        args);
  }

  /** Runs {@code args} with the environment {@code vars} alone. */
  public static CliRun backy(Map<String, String> vars, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        BackyCli.execute(
            Environment.of(vars), new PrintWriter(o, true), new PrintWriter(e, true), args);
    return new CliRun(code, o.toString(), e.toString());
  }
}
