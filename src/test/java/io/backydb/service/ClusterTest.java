package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.camel.service.ServiceSettings;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code backy run} processes sharing their schedules through Quartz's clustered JDBC job
 * store: every tick fires on exactly one node, and when a node dies the other keeps firing. They
 * also consume one RabbitMQ request queue, as competing consumers.
 */
class ClusterTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  ServiceFixture fx;
  String shared;
  final List<Process> nodes = new ArrayList<>();
  final List<String> requestDbs = new ArrayList<>();

  /** One row of the history; the error says why a run failed when an assertion lists it. */
  record Run(String node, String trigger, Instant scheduledAt, String status, String error) {}

  String exchange = "backy-cluster-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  com.rabbitmq.client.Connection amqp;
  com.rabbitmq.client.Channel ch;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    shared = TestServer.uniqueName("svc_cluster");
    server.createDatabase(shared);
    fx.properties(
        String.join(
            "\n",
            "backy.database.url = jdbc:mysql://"
                + server.host()
                + ":"
                + server.port()
                + "/"
                + shared
                + "?connectionTimeZone=UTC",
            "backy.database.user = root",
            "backy.cluster.enabled = true",
            "backy.cluster.checkin-interval-ms = 1000",
            // a request queue both nodes consume from
            ServiceFixture.rabbitConnectionFactory()
                + "backy.requests.backup.uri = spring-rabbitmq:"
                + exchange
                + "?queues="
                + exchange
                + "&routingKey=backup&autoDeclare=true",
            ""));
    com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setUsername("guest");
    f.setPassword("guest");
    amqp = f.newConnection();
    ch = amqp.createChannel();
    Files.writeString(
        fx.routes.resolve("every-2s.camel.yaml"),
        ServiceFixture.schedule("every-2s", "0/2 * * * * ?", fx.config));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : nodes) {
      p.destroyForcibly().waitFor();
    }
    fx.close();
    server.dropDatabase(shared);
    for (String db : requestDbs) {
      server.dropDatabase(db);
    }
    ch.queueDelete(exchange);
    ch.exchangeDelete(exchange);
    amqp.close();
  }

  private Process startNode(String name) throws Exception {
    Path props = dir.resolve(name + ".properties");
    Files.writeString(
        props,
        ServiceSettings.NODE_NAME
            + " = "
            + name
            + "\n"
            + ServiceSettings.CLUSTER_INSTANCE_ID
            + " = "
            + name
            + "\n");
    Path logs = Files.createDirectories(dir.resolve("logs-" + name));
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "io.backydb.cli.BackyCli",
            "run",
            "--routes",
            fx.routes.toString(),
            "--properties",
            props.toString());
    Map<String, String> env = pb.environment();
    env.putAll(fx.envVars);
    env.put("LOGGING_PATH", logs.toString());
    env.put(ServiceSettings.DATABASE_PASSWORD_ENV, "");
    pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
    Process p = pb.start();
    nodes.add(p);
    return p;
  }

  private List<Run> runs() throws Exception {
    List<Run> out = new ArrayList<>();
    try (Connection c = server.connect(shared);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT node, trigger_name, scheduled_at, status, error FROM backy_history"
                  + " ORDER BY started_at")) {
        while (rs.next()) {
          java.sql.Timestamp t = rs.getTimestamp(3);
          out.add(
              new Run(
                  rs.getString(1),
                  rs.getString(2),
                  t == null ? null : t.toInstant(),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
    } catch (java.sql.SQLSyntaxErrorException noTableYet) {
      return List.of();
    }
    return out;
  }

  private static List<Run> requested(List<Run> runs) {
    return runs.stream().filter(r -> "backup-requests".equals(r.trigger())).toList();
  }

  private String outputs() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String n : List.of("node-a", "node-b")) {
      Path f = dir.resolve(n + ".out");
      if (Files.exists(f)) {
        b.append("--- ").append(n).append('\n').append(Files.readString(f));
      }
    }
    return b.toString();
  }

  @Test
  void cluster_firesEachTickOnceAcrossNodes_andASurvivorTakesOverWhenANodeDies() throws Exception {
    Process a = startNode("node-a");
    await("node-a runs the schedule")
        .atMost(Duration.ofSeconds(60))
        .until(() -> runs().stream().filter(r -> r.node().equals("node-a")).count() >= 2);
    startNode("node-b");
    // both nodes up for a while: ticks keep firing, each on one node only
    int before = runs().size();
    await().atMost(Duration.ofSeconds(60)).until(() -> runs().size() >= before + 6);

    // the request queue's consumers compete: requests are shared between the nodes
    await().atMost(Duration.ofSeconds(60)).until(() -> ch.consumerCount(exchange) == 2);
    // one database per request: backups of one database started in the same second on two nodes
    // would compete for the same backup name
    for (int i = 0; i < 6; i++) {
      String db = TestServer.uniqueName("svc_req");
      requestDbs.add(db);
      server.createDatabase(db);
      server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (" + i + ")");
    }
    for (String db : requestDbs) {
      ch.basicPublish(
          exchange,
          "backup",
          null,
          ServiceFixture.backupConfigYaml(db).getBytes(StandardCharsets.UTF_8));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> requested(runs()).size() == 6);
    assertThat(requested(runs()).stream().map(Run::node).distinct())
        .containsExactlyInAnyOrder("node-a", "node-b");

    a.destroyForcibly().waitFor(); // node-a dies without a word
    Instant died = Instant.now();
    await("node-b takes over")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                runs().stream()
                        .filter(
                            r ->
                                r.node().equals("node-b")
                                    && r.scheduledAt() != null
                                    && r.scheduledAt().isAfter(died))
                        .count()
                    >= 3);

    List<Run> runs = runs();
    assertThat(runs).as(outputs()).allMatch(r -> r.status().equals("succeeded"));
    Map<Instant, List<String>> byTick =
        runs.stream()
            .filter(r -> r.scheduledAt() != null)
            .collect(
                Collectors.groupingBy(
                    Run::scheduledAt,
                    HashMap::new,
                    Collectors.mapping(Run::node, Collectors.toList())));
    assertThat(byTick.values()).as("nodes per tick").allMatch(n -> n.size() == 1);
    String files;
    try (var st = Files.list(fx.backups)) {
      files = st.map(f -> f.getFileName().toString()).sorted().collect(Collectors.joining("\n"));
    }
    assertThat(fx.backupCount()).as(runs + "\n" + files + "\n" + outputs()).isEqualTo(runs.size());
  }
}
