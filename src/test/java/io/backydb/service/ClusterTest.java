package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.camel.service.ServiceSettings;
import io.backydb.testing.TestServer;
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
 * store: every tick fires on exactly one node, and when a node dies the other keeps firing.
 */
class ClusterTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  ServiceFixture fx;
  String shared;
  final List<Process> nodes = new ArrayList<>();

  record Run(String node, Instant scheduledAt, String status) {}

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
            ""));
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
              "SELECT node, scheduled_at, status FROM backy_history ORDER BY started_at")) {
        while (rs.next()) {
          out.add(new Run(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3)));
        }
      }
    } catch (java.sql.SQLSyntaxErrorException noTableYet) {
      return List.of();
    }
    return out;
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

    a.destroyForcibly().waitFor(); // node-a dies without a word
    Instant died = Instant.now();
    await("node-b takes over")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                runs().stream()
                        .filter(r -> r.node().equals("node-b") && r.scheduledAt().isAfter(died))
                        .count()
                    >= 3);

    List<Run> runs = runs();
    assertThat(runs).as(outputs()).allMatch(r -> r.status().equals("succeeded"));
    Map<Instant, List<String>> byTick =
        runs.stream()
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
