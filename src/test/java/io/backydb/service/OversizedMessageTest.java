package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.backydb.camel.service.ServiceSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request message of a sizeable part of the heap, sent to a {@code backy run} process with the
 * heap {@code bin/backy} gives it (96 MiB, ending on an OutOfMemoryError). The RabbitMQ client read
 * such a message whole and the service died of it, again at every redelivery. Now the client
 * refuses it by its size, the service logs one line and goes on, and the request queue's delivery
 * limit dead-letters the message, so that the next request runs.
 */
class OversizedMessageTest {

  @TempDir Path dir;
  ServiceFixture fx;
  Process service;
  com.rabbitmq.client.Connection amqp;
  Channel ch;
  final String exchange = "backy-big-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setUsername("guest");
    f.setPassword("guest");
    amqp = f.newConnection();
    ch = amqp.createChannel();
    ch.exchangeDeclare(exchange + ".dead", "fanout");
    ch.queueDeclare(exchange + ".dead", false, false, false, null);
    ch.queueBind(exchange + ".dead", exchange + ".dead", "");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (service != null) {
      service.destroyForcibly().waitFor();
    }
    fx.close();
    ch.queueDelete(exchange + ".backup");
    ch.queueDelete(exchange + ".results");
    ch.queueDelete(exchange + ".dead");
    ch.exchangeDelete(exchange);
    ch.exchangeDelete(exchange + ".dead");
    amqp.close();
  }

  @Test
  void aMessageOfTwoThirdsOfTheHeap_isRefusedByItsSize_andTheServiceGoesOn() throws Exception {
    fx.properties(
        String.join(
            "\n",
            // the documented request queue, as a quorum queue with a delivery limit
            ServiceFixture.rabbitConnectionFactory()
                + "backy.requests.backup.uri = spring-rabbitmq:"
                + exchange
                + "?queues="
                + exchange
                + ".backup&routingKey=backup&autoDeclare=true&arg.queue.durable=true&prefetchCount=1"
                + "&arg.queue.x-queue-type=quorum&arg.queue.x-delivery-limit=2"
                + "&arg.queue.x-dead-letter-exchange="
                + exchange
                + ".dead",
            "backy.requests.result.uri = spring-rabbitmq:" + exchange + "?routingKey=results",
            ""));
    Path logs = Files.createDirectories(dir.resolve("logs"));
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // as bin/backy runs the service
            "-Xmx96m",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            System.getProperty("java.class.path"),
            "io.backydb.cli.BackyCli",
            "run",
            "--routes",
            fx.routes.toString());
    Map<String, String> env = pb.environment();
    env.putAll(fx.envVars);
    env.put("LOGGING_PATH", logs.toString());
    env.put(ServiceSettings.DATABASE_PASSWORD_ENV, "");
    Path out = dir.resolve("service.out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    service = pb.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !service.isAlive() || Files.readString(out).contains("BackyDB is running"));
    assertThat(service.isAlive()).as(Files.readString(out)).isTrue();
    ch.queueDeclare(exchange + ".results", false, false, false, null);
    ch.queueBind(exchange + ".results", exchange, "results");

    byte[] big = new byte[60_000_000];
    java.util.Arrays.fill(big, (byte) ' ');
    AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    ch.basicPublish(exchange, "backup", persistent, big);
    ch.basicPublish(
        exchange,
        "backup",
        persistent,
        ServiceFixture.backupConfigYaml(fx.database).getBytes(StandardCharsets.UTF_8));

    AtomicReference<GetResponse> result = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              assertThat(service.isAlive())
                  .as("the service died: " + Files.readString(out))
                  .isTrue();
              result.set(ch.basicGet(exchange + ".results", true));
              return result.get() != null;
            });
    assertThat(new ObjectMapper().readTree(result.get().getBody()).path("event").asText())
        .isEqualTo("backup.succeeded");
    GetResponse dead = ch.basicGet(exchange + ".dead", true);
    assertThat(dead).as("dead-lettered by the delivery limit").isNotNull();
    assertThat(dead.getBody()).hasSize(big.length);
    assertThat(Files.readString(out))
        .contains("a RabbitMQ message of 60000000 bytes was not received: more than the limit of ")
        .doesNotContain("OutOfMemoryError")
        .doesNotContain("An unexpected connection driver error occurred");
  }
}
