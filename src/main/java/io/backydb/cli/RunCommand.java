package io.backydb.cli;

import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.ServiceSettings;
import io.backydb.config.Environment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy run [--routes DIR]}: the long-running service. Camel Main runs every YAML route in
 * DIR and follows the folder while it runs (files added, changed, deleted); the built-in backup,
 * restore and scheduled-backup routes come from DIR if it has them, from the jar otherwise.
 * Settings: DIR/backy.properties, see docs/scheduling.md.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run BackyDB as a service: run the YAML routes of a folder (schedules, request queues,"
            + " your own routes), following changes to the folder, until stopped.")
final class RunCommand implements Callable<Integer> {

  private final Environment env;

  @Option(
      names = "--routes",
      paramLabel = "DIR",
      defaultValue = "routes",
      description = "Folder of *.yaml routes (default: ${DEFAULT-VALUE}).")
  Path routes;

  @Option(
      names = "--properties",
      paramLabel = "FILE",
      description = "Settings file read after DIR/backy.properties (see docs/scheduling.md).")
  Path properties;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Serve health checks and Prometheus metrics on this port (backy.http.port).")
  Integer httpPort;

  RunCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    ServiceSettings settings = ServiceSettings.load(routes, properties, env);
    if (httpPort != null) {
      settings.set(ServiceSettings.HTTP_PORT, httpPort.toString());
    }
    return new BackyService(settings).run();
  }
}
