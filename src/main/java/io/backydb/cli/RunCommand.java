package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.camel.BackyProcessors;
import io.backydb.config.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy run [--routes DIR]}: the long-running service. Camel Main loads every YAML route in
 * DIR; the built-in backup and restore routes come from DIR if it has them, from the jar otherwise.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run BackyDB as a service: load and run the YAML routes of a folder until stopped.")
final class RunCommand implements Callable<Integer> {

  private final Environment env;

  @Option(
      names = "--routes",
      paramLabel = "DIR",
      defaultValue = "routes",
      description = "Folder of *.yaml routes (default: ${DEFAULT-VALUE}).")
  Path routes;

  RunCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(routes)) {
      throw new BackyException(ErrorCode.CONFIG, "routes folder " + routes + " does not exist");
    }
    Main main = new Main();
    main.configure().setName("backydb");
    // the backup stream must never be copied into memory
    main.configure().setStreamCachingEnabled(false);
    main.configure()
        .withRoutesIncludePattern(String.join(",", includePatterns(routes.toAbsolutePath())));
    BackyProcessors.all(env).forEach(main::bind);
    main.run();
    return main.getExitCode();
  }

  static List<String> includePatterns(Path dir) {
    List<String> patterns = new ArrayList<>();
    patterns.add("file:" + dir + "/*.yaml");
    for (String builtIn : List.of("backup.camel.yaml", "restore.camel.yaml")) {
      if (!Files.exists(dir.resolve(builtIn))) {
        patterns.add("classpath:routes/" + builtIn);
      }
    }
    return patterns;
  }
}
