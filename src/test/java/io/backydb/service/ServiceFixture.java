package io.backydb.service;

import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.ServiceSettings;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@code bin/backy run} service for tests: a copy of the project's real routes folder, a small
 * source database, a backup config file for it, and local backup and log folders.
 */
final class ServiceFixture implements AutoCloseable {

  static final TestServer server = TestServer.get();

  final Path dir;
  final Path routes;
  final Path backups;
  final Path logs;
  final String database;
  final Path config;
  final Map<String, String> envVars = new HashMap<>();
  private final List<BackyService> services = new ArrayList<>();

  ServiceFixture(Path dir) throws Exception {
    this.dir = dir;
    routes = Files.createDirectories(dir.resolve("routes"));
    backups = Files.createDirectories(dir.resolve("backups"));
    logs = Files.createDirectories(dir.resolve("logs"));
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("routes"), "*.yaml")) {
      for (Path p : ds) {
        Files.copy(p, routes.resolve(p.getFileName()));
      }
    }
    database = TestServer.uniqueName("svc");
    server.createDatabase(database);
    server.execute(
        database,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t VALUES (1,'one'),(2,'two'),(3,'three')");
    config = dir.resolve("backup.yaml");
    Files.writeString(config, backupConfigYaml(database));
    envVars.put(Environment.DB_PASSWORD, "");
    envVars.put(Environment.LOCAL_PATH, backups.toString());
    envVars.put(Environment.LOGGING_PATH, logs.toString());
  }

  /**
   * Adds table {@code ext_log} of the ARCHIVE engine (installed: {@link
   * io.backydb.testing.ArchivePlugin}) to the source database, with rows 1 'one' and 2 'two'.
   */
  void addArchiveTable() throws java.sql.SQLException {
    server.execute(
        database,
        "CREATE TABLE ext_log (id INT, note VARCHAR(20)) ENGINE=ARCHIVE",
        "INSERT INTO ext_log VALUES (1, 'one'), (2, 'two')");
  }

  /**
   * Drops {@code ext_log} where the source database has it: before the ARCHIVE plugin goes, as a
   * table of an uninstalled engine cannot be read (backed up or dropped).
   */
  void dropArchiveTable() throws java.sql.SQLException {
    server.execute(database, "DROP TABLE IF EXISTS ext_log");
  }

  static String backupConfigYaml(String db) {
    return server.databaseYaml("root", db) + "storage:\n  storage_type: local\n";
  }

  Environment env() {
    return Environment.of(envVars);
  }

  /** A schedule file using the scheduled-backup template. */
  static String schedule(String name, String cron, Path config) {
    return schedule(name, name, cron, config);
  }

  /** A schedule file whose route id and Quartz job name differ. */
  static String schedule(String routeId, String name, String cron, Path config) {
    return "- templatedRoute:\n"
        + "    routeTemplateRef: scheduled-backup\n"
        + "    routeId: "
        + routeId
        + "\n    parameters:\n"
        + "      - {name: name, value: "
        + name
        + "}\n"
        + "      - {name: cron, value: \""
        + cron
        + "\"}\n"
        + "      - {name: config, value: \""
        + config
        + "\"}\n";
  }

  /** The settings of a spring-rabbitmq connection factory for the broker on 127.0.0.1:5672. */
  static String rabbitConnectionFactory() {
    return String.join(
        "\n",
        "camel.beans.rabbit = #class:org.springframework.amqp.rabbit.connection.CachingConnectionFactory",
        "camel.beans.rabbit.host = 127.0.0.1",
        "camel.beans.rabbit.username = guest",
        "camel.beans.rabbit.password = guest",
        "");
  }

  void properties(String text) throws IOException {
    Files.writeString(routes.resolve(ServiceSettings.FILE_NAME), text);
  }

  BackyService start() throws Exception {
    BackyService s = new BackyService(ServiceSettings.load(routes, null, env()));
    services.add(s);
    s.start();
    return s;
  }

  /** The finished backups (metadata sidecars) in the backup folder. */
  long backupCount() throws IOException {
    // list, not walk: walk reads each entry's attributes, and a backup's temporary file can be
    // renamed between the listing and that read (NoSuchFileException); sidecars are top-level
    try (Stream<Path> s = Files.list(backups)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".metadata.json")).count();
    }
  }

  String log() throws IOException {
    Path f = logs.resolve("backydb.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  @Override
  public void close() throws Exception {
    for (BackyService s : services) {
      s.close();
    }
    server.dropDatabase(database);
  }
}
