package io.backydb.cli;

import io.backydb.config.Environment;
import io.backydb.demo.Demo;
import java.nio.file.Path;
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
          + " DB_PASSWORD if set), an embedded MariaDB otherwise."
    })
final class DemoCommand extends BackyCommand {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = ".demo",
      description =
          "Where the demo keeps its backups, logs and embedded server (default: ${DEFAULT-VALUE}).")
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
    return new Demo(env, dir.toAbsolutePath(), out()).run(embedded) ? 0 : 1;
  }
}
