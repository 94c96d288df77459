package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.backup.BackupResult;
import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.RunRecord;
import io.backydb.restore.RestoreResult;
import io.backydb.testing.ArchivePlugin;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Routes": a step of one's own added to the backup or restore route of the routes
 * folder, here sending the route's result to an endpoint (a file; a queue producer needs the body
 * as bytes in the same way).
 */
class RouteExtensionTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ServiceFixture fx;
  Path out;
  String restored;
  String serviceDatabase;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    out = dir.resolve("out");
    restored = fx.database + "_copy";
    serviceDatabase = fx.database + "_service";
    TestServer.get().createDatabase(serviceDatabase);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    TestServer.get().dropDatabase(restored);
    TestServer.get().dropDatabase(serviceDatabase);
  }

  /**
   * Adds {@code steps} to the route of {@code file} before or after the line of step {@code at}.
   */
  private void addSteps(String file, String at, boolean before, List<String> steps)
      throws Exception {
    Path route = fx.routes.resolve(file);
    String text = Files.readString(route);
    String line = "        - process: {ref: " + at + "}";
    assertThat(text).contains(line);
    String added = String.join("\n", steps);
    Files.writeString(
        route, text.replace(line, before ? added + "\n" + line : line + "\n" + added));
  }

  /**
   * The README's example of steps added to routes/backup.camel.yaml: those it shows before {@code
   * backupConfig} and after {@code retention}, with its report folder replaced by {@code out}.
   */
  private List<List<String>> readmeSteps() throws Exception {
    Matcher m =
        Pattern.compile("```yaml\n(.*?jdbc:backyDataSource.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(Path.of("README.md")));
    assertThat(m.find()).as("README's example of added steps").isTrue();
    List<String> pre = new ArrayList<>();
    List<String> post = new ArrayList<>();
    List<String> into = null;
    for (String line : m.group(1).lines().toList()) {
      if (line.contains("steps:")) {
        into = pre;
      } else if (line.contains("{ref: backupConfig}")) {
        into = null;
      } else if (line.contains("{ref: retention}")) {
        into = post;
      } else if (into != null && line.strip().startsWith("- ")) {
        into.add(line.replace("/srv/backup-reports", out.toString()));
      }
    }
    assertThat(pre).anyMatch(l -> l.contains("jdbc:backyDataSource"));
    assertThat(post).anyMatch(l -> l.contains("file:"));
    return List.of(pre, post);
  }

  /**
   * Adds a step of the user's after step {@code at} of the route in {@code file} that replaces the
   * body with the text {@code replaced}, and has the service write each event to a file of its name
   * in {@code events}.
   */
  private void replaceTheBodyAfter(String file, String at) throws Exception {
    fx.properties(
        "backy.events.uri = file:"
            + dir.resolve("events")
            + "?fileName=${header.backyEvent}.json\n");
    addSteps(file, at, false, List.of("        - setBody: {constant: \"replaced\"}"));
  }

  /** The last event named {@code name} (backup.succeeded, say), once the service has written it. */
  private JsonNode event(String name) throws Exception {
    Path f = dir.resolve("events").resolve(name + ".json");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> Files.exists(f));
    return JSON.readTree(f.toFile());
  }

  /**
   * Restores the backup at {@code location} into {@code restored} through {@code direct:restore},
   * with {@code databaseLines} added to the config's {@code database} section and {@code more}
   * after its {@code backup_path}; checks that the route's body came back replaced.
   *
   * @return the run of the restore's {@code restore.succeeded} event
   */
  private JsonNode restoreThroughTheRoute(
      ProducerTemplate p, String location, String databaseLines, String more) throws Exception {
    Path restoreConfig = dir.resolve("restore.yaml");
    Files.writeString(
        restoreConfig,
        ServiceFixture.backupConfigYaml(restored)
                .replace("\nstorage:", "\n" + databaseLines + "storage:")
            + "backup_path: "
            + location
            + "\n"
            + more);
    assertThat(p.requestBody("direct:restore", restoreConfig.toString(), String.class))
        .isEqualTo("replaced");
    return event("restore.succeeded").get("run");
  }

  /**
   * A step of the user's after {@code retention} that replaces the body (here with a text) still
   * leaves the run's {@code backup.succeeded} event its metadata: the recorder took it from the
   * body, and the event lost it.
   */
  @Test
  void aStepThatReplacesTheResultAfterTheBackup_leavesTheEventItsMetadata() throws Exception {
    replaceTheBodyAfter("backup.camel.yaml", "retention");
    CamelContext ctx = fx.start().context();
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      assertThat(p.requestBody("direct:backup", fx.config.toString(), String.class))
          .isEqualTo("replaced");
    }
    JsonNode event = event("backup.succeeded");
    String name = event.at("/metadata/name").asText();
    assertThat(name).isNotEmpty();
    assertThat(event.get("metadata"))
        .isEqualTo(JSON.readTree(fx.backups.resolve(name + ".metadata.json").toFile()));
  }

  /**
   * A step of the user's after {@code apply} that replaces the body still leaves a restore limited
   * to tables its {@code left_out} and location, in its {@code restore.succeeded} event and its
   * history record: the recorder took them from the body, and both lost them.
   */
  @Test
  void aStepThatReplacesTheResultAfterTheRestore_leavesTheRunWhatItLeftOut() throws Exception {
    TestServer.get().execute(fx.database, "CREATE VIEW v AS SELECT id FROM t");
    replaceTheBodyAfter("restore.camel.yaml", "apply");
    BackyService service = fx.start();
    try (ProducerTemplate p = service.context().createProducerTemplate()) {
      BackupResult b =
          p.requestBody(
              "direct:backup",
              ServiceFixture.backupConfigYaml(fx.database)
                  .replace(
                      "\nstorage:",
                      "\n  features: {tables: true, data: true, views: true}\nstorage:"),
              BackupResult.class);
      JsonNode run = restoreThroughTheRoute(p, b.location(), "  tables: [t]\n", "");
      assertThat(run.path("left_out").toString()).as(run.toString()).isEqualTo("[\"views\"]");
      assertThat(run.path("location").asText()).isEqualTo(b.location());
      RunRecord recorded = service.history().latest(1).get(0);
      assertThat(recorded.operation()).isEqualTo("restore");
      assertThat(recorded.leftOut()).containsExactly("views");
      assertThat(recorded.location()).isEqualTo(b.location());
    }
  }

  /**
   * In the same way, a restore of rows into an existing table with INSERT triggers, called from a
   * route of the user's, leaves its run the triggers that fired ({@code insert_triggers}), in its
   * event and its history record (the file here), whatever a later step puts in the body.
   */
  @Test
  void aStepThatReplacesTheResultAfterTheRestore_leavesTheRunTheInsertTriggersThatFired()
      throws Exception {
    replaceTheBodyAfter("restore.camel.yaml", "apply");
    BackyService service = fx.start();
    TestServer s = TestServer.get();
    s.createDatabase(restored);
    s.execute(
        restored,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "CREATE TRIGGER t_mark BEFORE INSERT ON t FOR EACH ROW SET NEW.v = CONCAT(NEW.v, '!')");
    try (ProducerTemplate p = service.context().createProducerTemplate()) {
      BackupResult b =
          p.requestBody(
              "direct:backup", ServiceFixture.backupConfigYaml(fx.database), BackupResult.class);
      JsonNode run =
          restoreThroughTheRoute(
              p, b.location(), "  features: {data: true}\n", "replace_existing: true\n");
      assertThat(run.path("insert_triggers").toString())
          .as(run.toString())
          .isEqualTo("[\"`t` (`t_mark`)\"]");
      RunRecord recorded = service.history().latest(1).get(0);
      assertThat(recorded.operation()).isEqualTo("restore");
      assertThat(recorded.insertTriggers()).containsExactly("`t` (`t_mark`)");
      assertThat(recorded.leftOut()).isNull();
    }
    try (java.sql.Connection c = s.connect(restored);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT GROUP_CONCAT(v ORDER BY id) FROM t")) {
      rs.next();
      assertThat(rs.getString(1)).as("the trigger fired").isEqualTo("one!,two!,three!");
    }
  }

  /**
   * In the same way, a restore into a server that lacks a table's engine (ARCHIVE, uninstalled
   * after the backup: {@link ArchivePlugin}), called from a route of the user's, leaves its run the
   * tables it created in the default engine ({@code engine_substitutes}), in its event and its
   * history record (the file here), whatever a later step puts in the body.
   */
  @Test
  void aStepThatReplacesTheResultAfterTheRestore_leavesTheRunTheTablesCreatedInTheDefaultEngine()
      throws Exception {
    TestServer s = TestServer.get();
    ArchivePlugin archive = ArchivePlugin.installed(s);
    try {
      fx.addArchiveTable();
      replaceTheBodyAfter("restore.camel.yaml", "apply");
      BackyService service = fx.start();
      try (ProducerTemplate p = service.context().createProducerTemplate()) {
        BackupResult b =
            p.requestBody(
                "direct:backup", ServiceFixture.backupConfigYaml(fx.database), BackupResult.class);
        fx.dropArchiveTable();
        archive.uninstall();
        JsonNode run = restoreThroughTheRoute(p, b.location(), "", "");
        assertThat(run.path("engine_substitutes").toString())
            .as(run.toString())
            .isEqualTo("[\"`ext_log` (ARCHIVE as InnoDB)\"]");
        RunRecord recorded = service.history().latest(1).get(0);
        assertThat(recorded.operation()).isEqualTo("restore");
        assertThat(recorded.engineSubstitutes()).containsExactly("`ext_log` (ARCHIVE as InnoDB)");
        assertThat(recorded.insertTriggers()).isNull();
      }
      assertThat(s.engines(restored)).contains("ext_log InnoDB");
      assertThat(s.rows(restored, "SELECT CONCAT(id, ' ', note) FROM ext_log ORDER BY id"))
          .containsExactly("1 one", "2 two");
    } finally {
      fx.dropArchiveTable();
      s.dropDatabase(restored); // its ARCHIVE table too, before the plugin may go
      archive.leaveAsFound();
    }
  }

  @Test
  void theReadmesStepsBeforeAndAfterTheBackupWorkAndSendTheResultAsJson() throws Exception {
    fx.properties(
        "backy.database.url = jdbc:mysql://"
            + TestServer.get().host()
            + ":"
            + TestServer.get().port()
            + "/"
            + serviceDatabase
            + "\n");
    List<List<String>> steps = readmeSteps();
    addSteps("backup.camel.yaml", "backupConfig", true, steps.get(0));
    addSteps("backup.camel.yaml", "retention", false, steps.get(1));
    addSteps(
        "restore.camel.yaml",
        "apply",
        false,
        List.of("        - to: \"file:" + out + "?fileName=restore.json\""));
    CamelContext ctx = fx.start().context();

    BackupResult b;
    RestoreResult r;
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      b = p.requestBody("direct:backup", fx.config.toString(), BackupResult.class);
      Path restoreConfig = dir.resolve("restore.yaml");
      Files.writeString(
          restoreConfig,
          ServiceFixture.backupConfigYaml(restored) + "backup_path: " + b.location() + "\n");
      r = p.requestBody("direct:restore", restoreConfig.toString(), RestoreResult.class);
    }

    // the caller still gets the result itself
    assertThat(b.metadata().tables()).hasSize(1);
    JsonNode sent = JSON.readTree(out.resolve(b.metadata().name() + ".json").toFile());
    assertThat(sent.get("location").asText()).isEqualTo(b.location());
    JsonNode sidecar =
        JSON.readTree(fx.backups.resolve(b.metadata().name() + ".metadata.json").toFile());
    assertThat(sent.get("metadata")).isEqualTo(sidecar);

    JsonNode restore = JSON.readTree(out.resolve("restore.json").toFile());
    assertThat(restore.get("backup_location").asText()).isEqualTo(b.location());
    assertThat(restore.get("database").asText()).isEqualTo(restored);
    assertThat(restore.at("/summary/tables/0/rows").asLong()).isEqualTo(3);
    assertThat(r.summary().tables()).hasSize(1);
  }
}
