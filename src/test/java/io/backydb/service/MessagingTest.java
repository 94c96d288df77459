package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
  Connection amqp;
  Channel ch;
  String exchange;
  String events;
  String results;
  String restoreTarget;

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
                + ".backup&routingKey=backup&autoDeclare=true",
            "backy.requests.restore.uri = spring-rabbitmq:"
                + exchange
                + "?queues="
                + exchange
                + ".restore&routingKey=restore&autoDeclare=true",
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
    String restore =
        JSON.createObjectNode()
            .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                "database", JSON.valueToTree(s.databaseConfig(restoreTarget)))
            .put("backup_path", location)
            .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                "storage", JSON.createObjectNode().put("storage_type", "local"))
            .toString();
    publish("restore", restore);
    assertThat(next(events).path("event").asText()).isEqualTo("restore.started");
    JsonNode restored = next(events);
    assertThat(restored.path("event").asText())
        .as(restored.toString())
        .isEqualTo("restore.succeeded");
    assertThat(next(results).path("event").asText()).isEqualTo("restore.succeeded");
    assertThat(s.checksums(restoreTarget)).isEqualTo(s.checksums(fx.database));
  }
}
