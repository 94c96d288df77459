package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.backydb.camel.service.BackyService;
import io.backydb.testing.ArchivePlugin;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and requests over the RabbitMQ broker on 127.0.0.1:5672 (guest/guest), through
 * camel-spring-rabbitmq endpoints configured in the routes folder's backy.properties.
 */
class MessagingTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ServiceFixture fx;
  com.rabbitmq.client.Connection amqp;
  Channel ch;
  String exchange;
  String events;
  String results;
  String restoreTarget;
  String historyDatabase;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    exchange = "backy-test-" + UUID.randomUUID().toString().substring(0, 8);
    restoreTarget = TestServer.uniqueName("svc_restored");
    fx.properties(
        String.join(
            "\n",
            "camel.beans.rabbit = #class:org.springframework.amqp.rabbit.connection.CachingConnectionFactory",
            "camel.beans.rabbit.host = 127.0.0.1",
            "camel.beans.rabbit.port = 5672",
            "camel.beans.rabbit.username = guest",
            "camel.beans.rabbit.password = guest",
            "backy.events.uri = spring-rabbitmq:" + exchange + "?routingKey=events",
            "backy.requests.backup.uri = spring-rabbitmq:"
                + exchange
                + "?queues="
                + exchange
                + ".backup&routingKey=backup&autoDeclare=true&arg.queue.durable=true&prefetchCount=1",
            "backy.requests.restore.uri = spring-rabbitmq:"
                + exchange
                + "?queues="
                + exchange
                + ".restore&routingKey=restore&autoDeclare=true&arg.queue.durable=true&prefetchCount=1",
            "backy.requests.result.uri = spring-rabbitmq:" + exchange + "?routingKey=results",
            ""));
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setPort(5672);
    f.setUsername("guest");
    f.setPassword("guest");
    amqp = f.newConnection();
    ch = amqp.createChannel();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    if (ch != null) {
      ch.queueDelete(exchange + ".backup");
      ch.queueDelete(exchange + ".restore");
      ch.exchangeDelete(exchange);
    }
    amqp.close();
    TestServer.get().dropDatabase(restoreTarget);
    if (historyDatabase != null) {
      TestServer.get().dropDatabase(historyDatabase);
    }
  }

  private String listen(String routingKey) throws Exception {
    String q = ch.queueDeclare().getQueue(); // exclusive, auto-delete
    ch.queueBind(q, exchange, routingKey);
    return q;
  }

  private void publish(String routingKey, String body) throws Exception {
    ch.basicPublish(exchange, routingKey, null, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Waits for a message on a queue and returns it as JSON. */
  private JsonNode next(String queue) {
    List<JsonNode> got = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              GetResponse r = ch.basicGet(queue, true);
              if (r != null) {
                got.add(JSON.readTree(r.getBody()));
              }
              return !got.isEmpty();
            });
    return got.get(0);
  }

  @Test
  void aRequestNamingAConfigFile_isRefused_withoutARequestsConfigFolder() throws Exception {
    BackyService service = fx.start();
    results = listen("results");
    publish("backup", fx.config.toString());
    JsonNode refused = next(results);
    assertThat(refused.path("event").asText()).isEqualTo("request.failed");
    assertThat(refused.path("error").asText())
        .startsWith("the request names a config file (" + fx.config + ")");
    assertThat(service.history().latest(10)).isEmpty();
    assertThat(fx.backupCount()).isZero();
  }

  /**
   * A config carried in the request may not make the service read any file of its host as a CA
   * certificate: the refusal (or not) would tell whether the path exists.
   */
  @Test
  void aRequestWhoseConfigNamesACaFileOutsideTheRequestsConfigFolder_isRefused() throws Exception {
    BackyService service = fx.start();
    results = listen("results");
    publish(
        "backup",
        ServiceFixture.server.databaseYaml("root", fx.database)
            + "  tls: verify_ca\n  tls_ca: /etc/passwd\nstorage:\n  storage_type: local\n");
    JsonNode refused = next(results);
    assertThat(refused.path("event").asText()).isEqualTo("request.failed");
    assertThat(refused.path("error").asText())
        .isEqualTo(
            "the request's database.tls_ca names a file of the service's host (/etc/passwd); set"
                + " backy.requests.config-dir to the folder requests may take files from, and keep"
                + " the CA file there");
    assertThat(service.history().latest(10)).isEmpty();
    assertThat(fx.backupCount()).isZero();
  }

  @Test
  void aRequestNamingAConfigFileOfTheRequestsConfigFolder_runs() throws Exception {
    Path settings = fx.routes.resolve("backy.properties");
    java.nio.file.Files.writeString(
        settings,
        "backy.requests.config-dir = " + fx.config.getParent() + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    fx.start();
    results = listen("results");
    publish("backup", fx.config.getFileName().toString());
    JsonNode ran = next(results);
    assertThat(ran.path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(fx.backupCount()).isEqualTo(1);
  }

  @Test
  void requests_runBackupsAndRestores_andEveryRunPublishesItsEvents() throws Exception {
    fx.start(); // its request consumers declare the exchange
    events = listen("events");
    results = listen("results");

    // a backup requested by a YAML config
    publish("backup", ServiceFixture.backupConfigYaml(fx.database));
    JsonNode started = next(events);
    assertThat(started.path("event").asText()).isEqualTo("backup.started");
    assertThat(started.path("run").path("trigger").asText()).isEqualTo("backup-requests");
    JsonNode succeeded = next(events);
    assertThat(succeeded.path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(succeeded.path("run").path("id").asText())
        .isEqualTo(started.path("run").path("id").asText());
    assertThat(succeeded.path("metadata").path("source").path("database").asText())
        .isEqualTo(fx.database);
    assertThat(succeeded.path("metadata").path("tables").get(0).path("rows").asLong()).isEqualTo(3);
    JsonNode result = next(results);
    assertThat(result.path("event").asText()).isEqualTo("backup.succeeded");
    String location = result.path("run").path("location").asText();
    assertThat(location).startsWith(fx.backups.toString());

    // a failing backup: published with its reason
    publish("backup", ServiceFixture.backupConfigYaml("no_such_database_here"));
    assertThat(next(events).path("event").asText()).isEqualTo("backup.started");
    JsonNode failed = next(events);
    assertThat(failed.path("event").asText()).isEqualTo("backup.failed");
    assertThat(failed.path("run").path("error").asText()).contains("no_such_database_here");
    assertThat(next(results).path("event").asText()).isEqualTo("backup.failed");

    // a restore requested by a JSON config
    TestServer s = TestServer.get();
    restoreByRequest(restoreRequest(location).toString());
    assertThat(next(results).path("event").asText()).isEqualTo("restore.succeeded");
    assertThat(s.checksums(restoreTarget)).isEqualTo(s.checksums(fx.database));
  }

  /**
   * Starts the service with its history in a new service database holding the backy_history table
   * {@code createHistoryTable} makes (one an older BackyDB created), and listens for its events and
   * results.
   */
  private BackyService startWithHistoryIn(String createHistoryTable) throws Exception {
    TestServer s = TestServer.get();
    historyDatabase = TestServer.uniqueName("svc_history");
    s.createDatabase(historyDatabase);
    s.execute(historyDatabase, createHistoryTable);
    java.nio.file.Files.writeString(
        fx.routes.resolve("backy.properties"),
        "backy.database.url = jdbc:mysql://"
            + s.host()
            + ":"
            + s.port()
            + "/"
            + historyDatabase
            + "?connectionTimeZone=UTC\nbacky.database.user = root\n",
        java.nio.file.StandardOpenOption.APPEND);
    BackyService service = fx.start();
    events = listen("events");
    results = listen("results");
    return service;
  }

  /** Requests a backup of {@code config}: its result, once it and its two events came. */
  private JsonNode backUpByRequest(String config) throws Exception {
    publish("backup", config);
    JsonNode backedUp = next(results);
    assertThat(backedUp.path("event").asText())
        .as(backedUp.toString())
        .isEqualTo("backup.succeeded");
    assertThat(next(events).path("event").asText()).isEqualTo("backup.started");
    assertThat(next(events).path("event").asText()).isEqualTo("backup.succeeded");
    return backedUp;
  }

  /** Requests a restore: its restore.succeeded event, once its two events came. */
  private JsonNode restoreByRequest(String request) throws Exception {
    publish("restore", request);
    assertThat(next(events).path("event").asText()).isEqualTo("restore.started");
    JsonNode restored = next(events);
    assertThat(restored.path("event").asText())
        .as(restored.toString())
        .isEqualTo("restore.succeeded");
    return restored;
  }

  /**
   * The restore lines of `backy history -n 3` on the service's routes folder: two, newest first.
   */
  private List<String> twoRestoresInHistory() {
    io.backydb.testing.CliRun history =
        io.backydb.testing.CliRun.backy(
            fx.logs, fx.backups, "history", "--routes", fx.routes.toString(), "-n", "3");
    assertThat(history.exit()).as(history.err()).isZero();
    List<String> restores = history.out().lines().filter(l -> l.contains(" restore ")).toList();
    assertThat(restores).as(history.out()).hasSize(2);
    return restores;
  }

  /** A request to restore the backup at {@code location} into the restore target. */
  private com.fasterxml.jackson.databind.node.ObjectNode restoreRequest(String location) {
    return JSON.createObjectNode()
        .<com.fasterxml.jackson.databind.node.ObjectNode>set(
            "database", JSON.valueToTree(TestServer.get().databaseConfig(restoreTarget)))
        .put("backup_path", location)
        .set("storage", JSON.createObjectNode().put("storage_type", "local"));
  }

  /**
   * A restore limited to tables says on the command line what it left out (views, routines,
   * events); one requested over the queue said it nowhere. Its final event, its result and its
   * history record now carry run.left_out, and `backy history` shows it. The history is the service
   * database's, in a backy_history table an older BackyDB created without that column.
   */
  @Test
  void aRestoreLimitedToTables_namesWhatItLeftOut_inItsEventResultAndHistory() throws Exception {
    TestServer s = TestServer.get();
    s.execute(fx.database, "CREATE VIEW v AS SELECT id FROM t");
    BackyService service =
        startWithHistoryIn(
            "CREATE TABLE backy_history (id VARCHAR(64) NOT NULL PRIMARY KEY, operation VARCHAR(16)"
                + " NOT NULL, status VARCHAR(16) NOT NULL, node VARCHAR(255), trigger_name"
                + " VARCHAR(255), scheduled_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL,"
                + " finished_at DATETIME(3) NULL, duration_ms BIGINT NULL, database_name"
                + " VARCHAR(255), dump_bytes BIGINT NULL, stored_bytes BIGINT NULL, location"
                + " VARCHAR(2000), error VARCHAR(2000), KEY backy_history_started (started_at))");

    JsonNode backedUp =
        backUpByRequest(
            ServiceFixture.backupConfigYaml(fx.database)
                .replace(
                    "\nstorage:",
                    "\n  features: {tables: true, data: true, views: true}\nstorage:"));
    assertThat(backedUp.path("run").has("left_out")).isFalse();
    String location = backedUp.path("run").path("location").asText();

    com.fasterxml.jackson.databind.node.ObjectNode restore = restoreRequest(location);
    restore.withObject("/database").putArray("tables").add("t");
    JsonNode restored = restoreByRequest(restore.toString());
    assertThat(restored.path("run").path("left_out").toString())
        .as(restored.toString())
        .isEqualTo("[\"views\"]");
    assertThat(next(results).path("run").path("left_out").toString()).isEqualTo("[\"views\"]");
    assertThat(s.checksums(restoreTarget)).isEqualTo(s.checksums(fx.database));
    try (Connection c = s.connect(restoreTarget);
        Statement st = c.createStatement();
        java.sql.ResultSet views =
            st.executeQuery(
                "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()")) {
      views.next();
      assertThat(views.getInt(1)).as("views left out").isZero();
    }

    // newest first, to the millisecond (JdbcRunHistoryTest)
    assertThat(service.history().latest(2))
        .extracting(
            io.backydb.camel.service.RunRecord::operation,
            io.backydb.camel.service.RunRecord::leftOut)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("restore", List.of("views")),
            org.assertj.core.groups.Tuple.tuple("backup", null));
    io.backydb.testing.CliRun history =
        io.backydb.testing.CliRun.backy(
            fx.logs, fx.backups, "history", "--routes", fx.routes.toString(), "-n", "2");
    assertThat(history.exit()).as(history.err()).isZero();
    assertThat(history.out().lines().filter(l -> l.contains(" restore ")))
        .singleElement()
        .asString()
        .endsWith(location + " (left out as limited to tables: views)");
    assertThat(history.out().lines().filter(l -> l.contains(" backup ")))
        .singleElement()
        .asString()
        .endsWith(location);
  }

  /**
   * A restore of rows into existing tables with INSERT triggers lets them fire for every row; the
   * CLI warns and its summary line names them, a restore requested over the queue only logged it.
   * Its final event, its result and its history record now carry run.insert_triggers, as the
   * summary line names them, and `backy history` shows them; a restore into the same tables without
   * triggers carries none. The history is the service database's, in a backy_history table the
   * previous BackyDB created (with left_out, without insert_triggers).
   */
  @Test
  void aRestoreIntoTablesWithInsertTriggers_namesThem_inItsEventResultAndHistory()
      throws Exception {
    TestServer s = TestServer.get();
    BackyService service = startWithHistoryIn(JdbcRunHistoryTest.LEFT_OUT_VERSIONS_TABLE);

    JsonNode backedUp = backUpByRequest(ServiceFixture.backupConfigYaml(fx.database));
    assertThat(backedUp.path("run").has("insert_triggers")).isFalse();
    String location = backedUp.path("run").path("location").asText();

    // the target's own table, with an audit trigger and one that changes the row
    s.createDatabase(restoreTarget);
    s.execute(
        restoreTarget,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "CREATE TABLE audit (id INT)",
        "CREATE TRIGGER t_audit AFTER INSERT ON t FOR EACH ROW INSERT INTO audit VALUES (NEW.id)",
        "CREATE TRIGGER t_upper BEFORE INSERT ON t FOR EACH ROW SET NEW.v = UPPER(NEW.v)");
    com.fasterxml.jackson.databind.node.ObjectNode request =
        restoreRequest(location).put("replace_existing", true);
    request.withObject("/database").putObject("features").put("data", true);
    String restore = request.toString();
    JsonNode restored = restoreByRequest(restore);
    String fired = "[\"`t` (`t_audit`, `t_upper`)\"]";
    assertThat(restored.path("run").path("insert_triggers").toString())
        .as(restored.toString())
        .isEqualTo(fired);
    assertThat(restored.path("run").has("left_out")).isFalse();
    JsonNode result = next(results);
    assertThat(result.path("run").path("insert_triggers").toString())
        .as(result.toString())
        .isEqualTo(fired);
    // they did fire: every row audited, every value changed
    try (Connection c = s.connect(restoreTarget);
        Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT (SELECT COUNT(*) FROM audit), (SELECT GROUP_CONCAT(v ORDER BY id) FROM t)")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3);
      assertThat(rs.getString(2)).isEqualTo("ONE,TWO,THREE");
    }

    // the same restore once the triggers are gone: none to name
    s.execute(restoreTarget, "DROP TRIGGER t_audit", "DROP TRIGGER t_upper");
    JsonNode again = restoreByRequest(restore);
    assertThat(again.path("run").has("insert_triggers")).as(again.toString()).isFalse();
    JsonNode againResult = next(results);
    assertThat(againResult.path("event").asText()).isEqualTo("restore.succeeded");
    assertThat(againResult.path("run").has("insert_triggers")).isFalse();
    assertThat(s.checksums(restoreTarget).get("t")).isEqualTo(s.checksums(fx.database).get("t"));

    // newest first, to the millisecond (JdbcRunHistoryTest)
    assertThat(service.history().latest(3))
        .extracting(
            io.backydb.camel.service.RunRecord::operation,
            io.backydb.camel.service.RunRecord::insertTriggers)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("restore", null),
            org.assertj.core.groups.Tuple.tuple("restore", List.of("`t` (`t_audit`, `t_upper`)")),
            org.assertj.core.groups.Tuple.tuple("backup", null));
    List<String> restores = twoRestoresInHistory();
    assertThat(restores.get(0)).endsWith(location);
    assertThat(restores.get(1))
        .endsWith(location + " (INSERT triggers fired for every row: `t` (`t_audit`, `t_upper`))");
  }

  /**
   * A restore into a server that lacks a table's engine creates the table in its default engine;
   * the CLI warns and its summary line names the tables, a restore requested over the queue only
   * logged it. Its final event, its result and its history record now carry run.engine_substitutes,
   * as the summary line names them, and `backy history` shows them; the same restore once the
   * server has the engine carries none. The engine is ARCHIVE, installed for the backup and
   * uninstalled for the restore ({@link ArchivePlugin}). The history is the service database's, in
   * a backy_history table the previous BackyDB created (with insert_triggers, without
   * engine_substitutes).
   */
  @Test
  void aRestoreIntoAServerLackingAnEngine_namesTheTablesCreatedInstead_inItsEventResultAndHistory()
      throws Exception {
    TestServer s = TestServer.get();
    ArchivePlugin archive = ArchivePlugin.installed(s);
    try {
      fx.addArchiveTable();
      BackyService service = startWithHistoryIn(JdbcRunHistoryTest.PREVIOUS_VERSIONS_TABLE);
      JsonNode backedUp = backUpByRequest(ServiceFixture.backupConfigYaml(fx.database));
      assertThat(backedUp.path("run").has("engine_substitutes")).isFalse();
      String location = backedUp.path("run").path("location").asText();
      fx.dropArchiveTable();
      archive.uninstall();

      JsonNode restored = restoreByRequest(restoreRequest(location).toString());
      String substituted = "[\"`ext_log` (ARCHIVE as InnoDB)\"]";
      assertThat(restored.path("run").path("engine_substitutes").toString())
          .as(restored.toString())
          .isEqualTo(substituted);
      assertThat(restored.path("run").has("insert_triggers")).isFalse();
      JsonNode result = next(results);
      assertThat(result.path("run").path("engine_substitutes").toString())
          .as(result.toString())
          .isEqualTo(substituted);
      assertThat(s.engines(restoreTarget)).contains("ext_log InnoDB", "t InnoDB");
      assertThat(s.rows(restoreTarget, "SELECT CONCAT(id, ' ', note) FROM ext_log ORDER BY id"))
          .containsExactly("1 one", "2 two");

      // the same restore where the server has the engine: the table comes back in it, none named
      archive.install();
      JsonNode again =
          restoreByRequest(restoreRequest(location).put("replace_existing", true).toString());
      assertThat(again.path("run").has("engine_substitutes")).as(again.toString()).isFalse();
      JsonNode againResult = next(results);
      assertThat(againResult.path("event").asText()).isEqualTo("restore.succeeded");
      assertThat(againResult.path("run").has("engine_substitutes")).isFalse();
      assertThat(s.engines(restoreTarget)).contains("ext_log ARCHIVE");

      // newest first, to the millisecond (JdbcRunHistoryTest)
      assertThat(service.history().latest(3))
          .extracting(
              io.backydb.camel.service.RunRecord::operation,
              io.backydb.camel.service.RunRecord::engineSubstitutes)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("restore", null),
              org.assertj.core.groups.Tuple.tuple(
                  "restore", List.of("`ext_log` (ARCHIVE as InnoDB)")),
              org.assertj.core.groups.Tuple.tuple("backup", null));
      List<String> restores = twoRestoresInHistory();
      assertThat(restores.get(0)).endsWith(location);
      assertThat(restores.get(1))
          .endsWith(
              location
                  + " (tables created in the default engine, as the target lacks theirs:"
                  + " `ext_log` (ARCHIVE as InnoDB))");
    } finally {
      fx.dropArchiveTable();
      s.dropDatabase(restoreTarget); // its ARCHIVE table too, before the plugin may go
      archive.leaveAsFound();
    }
  }

  /**
   * Plain requests (no reply-to), the way docs/scheduling.md recommends sending long backups: each
   * result used to carry nothing of its request, so a client with several requests out could not
   * tell which result was whose. A result now carries the request's AMQP correlation id (or, where
   * the request has none, its message id) as its own correlation id and as {@code correlation_id}
   * in its JSON; a refused request's result too.
   */
  @Test
  void theResultOfAPlainRequest_carriesTheRequestsCorrelationId() throws Exception {
    fx.start();
    results = listen("results");
    ch.basicPublish(
        exchange,
        "backup",
        new AMQP.BasicProperties.Builder().correlationId("nightly-42").build(),
        ServiceFixture.backupConfigYaml(fx.database).getBytes(StandardCharsets.UTF_8));
    GetResponse ran = nextMessage(results);
    assertThat(ran.getProps().getCorrelationId()).isEqualTo("nightly-42");
    JsonNode json = JSON.readTree(ran.getBody());
    assertThat(json.path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(json.path("correlation_id").asText()).isEqualTo("nightly-42");

    ch.basicPublish(
        exchange,
        "backup",
        new AMQP.BasicProperties.Builder().messageId("msg-7").build(),
        fx.config.toString().getBytes(StandardCharsets.UTF_8));
    GetResponse refused = nextMessage(results);
    assertThat(refused.getProps().getCorrelationId()).isEqualTo("msg-7");
    JsonNode refusedJson = JSON.readTree(refused.getBody());
    assertThat(refusedJson.path("event").asText()).isEqualTo("request.failed");
    assertThat(refusedJson.path("correlation_id").asText()).isEqualTo("msg-7");

    publish("backup", ServiceFixture.backupConfigYaml(fx.database));
    GetResponse anonymous = nextMessage(results);
    assertThat(anonymous.getProps().getCorrelationId()).isNull();
    assertThat(JSON.readTree(anonymous.getBody()).has("correlation_id")).isFalse();
  }

  /**
   * A request bigger than any config (a list of a hundred thousand tables, 2 MiB) is refused before
   * it is parsed, with a result saying so. Such a body used to be parsed as it came: with the heap
   * `bin/backy` gives the service (96 MiB), a 10 MB one killed the thread that runs requests with
   * an OutOfMemoryError, and its message was acknowledged with no result, no record, no event.
   */
  @Test
  void aRequestBiggerThanAnyConfig_isRefusedUnread() throws Exception {
    fx.start();
    events = listen("events");
    results = listen("results");
    StringBuilder tables = new StringBuilder();
    for (int i = 0; tables.length() < 2 << 20; i++) {
      tables.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
    }
    String huge =
        "{\"database\":{\"host\":\""
            + ServiceFixture.server.host()
            + "\",\"port\":"
            + ServiceFixture.server.port()
            + ",\"user\":\"root\",\"db_name\":\""
            + fx.database
            + "\",\"tables\":["
            + tables
            + "]},\"storage\":{\"storage_type\":\"local\"}}";
    ch.basicPublish(
        exchange,
        "backup",
        new AMQP.BasicProperties.Builder().correlationId("big-1").build(),
        huge.getBytes(StandardCharsets.UTF_8));
    GetResponse refused = nextMessage(results);
    JsonNode json = JSON.readTree(refused.getBody());
    assertThat(json.path("event").asText()).isEqualTo("request.failed");
    assertThat(json.path("correlation_id").asText()).isEqualTo("big-1");
    assertThat(json.path("error").asText())
        .isEqualTo(
            "the request is "
                + huge.length()
                + " bytes, more than any backup config (backy.requests.max-bytes is 1048576)");
    assertThat(ch.basicGet(events, true)).as("no run, so no event").isNull();

    // the service goes on taking requests
    publish("backup", ServiceFixture.backupConfigYaml(fx.database));
    assertThat(next(results).path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(fx.backupCount()).isEqualTo(1);
  }

  /**
   * The request queues the documented settings declare survive a restart of the broker, with the
   * (persistent) requests waiting in them. Without {@code arg.queue.durable=true},
   * camel-spring-rabbitmq declares them non-durable: a broker restart drops them and every request
   * queued, and the service declares them again, empty, without a word.
   */
  @Test
  void theRequestQueuesOfTheDocumentedSettings_areDurable() throws Exception {
    fx.start();
    for (String queue : List.of(exchange + ".backup", exchange + ".restore")) {
      try (Channel c = amqp.createChannel()) {
        // declaring an existing queue with other properties is refused (PRECONDITION_FAILED)
        assertThat(c.queueDeclare(queue, true, false, false, null).getQueue()).isEqualTo(queue);
      }
    }
  }

  /** Waits for a message on a queue. */
  private GetResponse nextMessage(String queue) {
    List<GetResponse> got = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              GetResponse r = ch.basicGet(queue, true);
              if (r != null) {
                got.add(r);
              }
              return !got.isEmpty();
            });
    return got.get(0);
  }

  /** The ready and unacknowledged messages of a queue, as the broker counts them. */
  private long[] queueCounts(String queue) throws Exception {
    Process p =
        new ProcessBuilder(
                "rabbitmqctl",
                "list_queues",
                "-q",
                "name",
                "messages_ready",
                "messages_unacknowledged")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    for (String line : out.lines().toList()) {
      String[] f = line.trim().split("\\s+", -1);
      if (f.length == 3 && f[0].equals(queue)) {
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
      }
    }
    throw new IOException("queue " + queue + " not listed by rabbitmqctl: " + out);
  }

  /** Holds a write lock on the fixture's table, which blocks a backup's dump until closed. */
  private Connection lockTable() throws Exception {
    Connection c = TestServer.get().connect(fx.database);
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLES t WRITE");
    }
    return c;
  }

  @Test
  void aRequest_isAcknowledgedWhenTheServiceTakesIt_notWhenItsBackupEnds() throws Exception {
    fx.start();
    events = listen("events");
    results = listen("results");
    String queue = exchange + ".backup";
    Connection lock = lockTable();
    try {
      publish("backup", ServiceFixture.backupConfigYaml(fx.database));
      assertThat(next(events).path("event").asText()).isEqualTo("backup.started");
      // the backup is blocked on the lock: the broker holds the message no longer (a
      // consumer_timeout or a stop cannot give it back to run a second time)
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(queueCounts(queue)).containsExactly(0, 0));
      assertThat(ch.basicGet(results, true)).isNull(); // the backup has not finished
    } finally {
      lock.close();
    }
    assertThat(next(events).path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(next(results).path("event").asText()).isEqualTo("backup.succeeded");
  }

  @Test
  void aStopDuringARequestedBackup_finishesIt_sendsTheResult_andDoesNotRequeueTheRequest()
      throws Exception {
    BackyService service = fx.start();
    events = listen("events");
    results = listen("results");
    String queue = exchange + ".backup";
    CompletableFuture<Void> stopped;
    Connection lock = lockTable();
    try {
      publish("backup", ServiceFixture.backupConfigYaml(fx.database));
      assertThat(next(events).path("event").asText()).isEqualTo("backup.started");
      stopped = CompletableFuture.runAsync(service::close); // SIGTERM: a graceful stop
      await().atMost(Duration.ofSeconds(10)).until(() -> service.context().isStopping());
      // longer than the RabbitMQ listener container's own 5 s stop timeout, after which it closed
      // its channel and the broker requeued a message it still held
      await()
          .during(Duration.ofSeconds(7))
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(queueCounts(queue)).containsExactly(0, 0));
      assertThat(stopped).isNotDone();
    } finally {
      lock.close();
    }
    assertThat(next(events).path("event").asText()).isEqualTo("backup.succeeded");
    JsonNode result = next(results);
    assertThat(result.path("event").asText()).isEqualTo("backup.succeeded");
    stopped.get(60, TimeUnit.SECONDS);
    assertThat(queueCounts(queue)).containsExactly(0, 0);
    assertThat(fx.backupCount()).isEqualTo(1);
  }

  @Test
  void aRequestReplyRequest_getsTheResultAsItsReply() throws Exception {
    fx.start();
    String replies = ch.queueDeclare().getQueue();
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .replyTo(replies)
            .correlationId("c-1")
            .contentType("text/plain")
            .build();
    ch.basicPublish(
        exchange,
        "backup",
        props,
        ServiceFixture.backupConfigYaml(fx.database).getBytes(StandardCharsets.UTF_8));
    JsonNode reply = next(replies);
    assertThat(reply.path("event").asText()).isEqualTo("backup.succeeded");
    assertThat(reply.path("run").path("trigger").asText()).isEqualTo("backup-requests");
  }

  @Test
  void aRequestReplyRequestGivenBackAtAStop_getsNoReply_andStaysQueued() throws Exception {
    BackyService service = fx.start();
    events = listen("events");
    String queue = exchange + ".backup";
    String replies = ch.queueDeclare().getQueue();
    CompletableFuture<Void> stopped;
    Connection lock = lockTable();
    try {
      publish("backup", ServiceFixture.backupConfigYaml(fx.database));
      assertThat(next(events).path("event").asText()).isEqualTo("backup.started");
      // a request/reply request waits for the slot the blocked backup holds
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder().replyTo(replies).correlationId("c-2").build();
      ch.basicPublish(
          exchange,
          "backup",
          props,
          ("# marker-of-the-request\n" + ServiceFixture.backupConfigYaml(fx.database))
              .getBytes(StandardCharsets.UTF_8));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(queueCounts(queue)).containsExactly(0, 1));
      stopped = CompletableFuture.runAsync(service::close);
      // the listener container gives the waiting message back after its 5 s stop timeout
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(queueCounts(queue)).containsExactly(1, 0));
    } finally {
      lock.close();
    }
    stopped.get(60, TimeUnit.SECONDS);
    GetResponse reply = ch.basicGet(replies, true);
    assertThat(reply == null ? null : new String(reply.getBody(), StandardCharsets.UTF_8))
        .as("a request that was not run gets no reply, least of all its own config")
        .isNull();
    assertThat(queueCounts(queue)).containsExactly(1, 0);
    assertThat(fx.backupCount()).isEqualTo(1);
  }
}
