package io.backydb.cli;

import io.backydb.config.Environment;
import io.backydb.demo.Demo;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backy demo}: the README's first command. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    // one paragraph per line: picocli wraps them at the terminal's width
    description = {
      "Demo: back up a demo database, restore it into a second one, prove them identical.",
      "Uses the MySQL/MariaDB server on 127.0.0.1:3306 if one answers (as root, with"
          + " DB_PASSWORD if set), an embedded MariaDB otherwise. On a running server the"
          + " databases backy_demo and backy_demo_restored stay afterwards, to look at; the demo"
          + " says how to drop them.",
      "Backups go to DIR/backups, the log to LOGGING_PATH if set, else to DIR/logs."
    })
final class DemoCommand extends BackyCommand {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = ".demo",
      description =
          "Where the demo keeps its backups, log and embedded server (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--embedded",
      description = "Use an embedded MariaDB even if a server answers on 127.0.0.1:3306.")
  boolean embedded;

  DemoCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() throws Exception {
    Path home = dir.toAbsolutePath();
    // the log the demo names is the one written: LOGGING_PATH's, else the demo's own
    Path logs = Demo.logFolder(env, home);
    Environment withLog =
        name ->
            name.equals(Environment.LOGGING_PATH) ? Optional.of(logs.toString()) : env.get(name);
    Logging.configure(withLog, false, err());
    boolean identical = new Demo(withLog, home, out()).run(embedded);
    out().println("Log: " + logs.resolve(Logging.FILE_NAME));
    return identical ? 0 : 1;
  }
}
