package io.backydb.camel.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sends to endpoints that take the message, refuse it, or block the sending thread. */
class EndpointSenderTest {

  CamelContext ctx;
  final List<String> received = new CopyOnWriteArrayList<>();
  final EndpointSender sender = new EndpointSender(Duration.ofSeconds(1));

  @BeforeEach
  void setUp() throws Exception {
    ctx = new DefaultCamelContext();
    ctx.getShutdownStrategy().setTimeout(1); // the blocked exchanges are not waited for
    ctx.addRoutes(
        new RouteBuilder() {
          @Override
          public void configure() {
            from("direct:ok").process(e -> received.add(e.getMessage().getBody(String.class)));
            from("direct:refuses").throwException(new IllegalStateException("queue is full"));
            // holds the sender's thread inside process(), as a broker blocking its publishers does
            from("direct:blocks").delay(60_000).syncDelayed();
          }
        });
    ctx.start();
  }

  @AfterEach
  void tearDown() {
    sender.stop();
    ctx.stop();
  }

  @Test
  void send_deliversTheBodyAndHeaders() throws Exception {
    sender.send(ctx, "direct:ok", "{\"event\":\"backup.completed\"}", Map.of("k", "v"));
    assertThat(received).containsExactly("{\"event\":\"backup.completed\"}");
  }

  @Test
  void send_throwsWhatTheEndpointRefusedWith() {
    assertThatThrownBy(() -> sender.send(ctx, "direct:refuses", "x", Map.of()))
        .hasMessage("queue is full");
  }

  @Test
  void send_givesUpOnAProducerThatBlocksInsideProcess_withinTheTimeout() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> sender.send(ctx, "direct:blocks", "x", Map.of()))
        .hasMessage("no answer from direct:blocks in 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void send_stillWorksWhileEarlierSendsAreStuck_andDropsTheOnesItGaveUpOn() throws Exception {
    // more stuck sends than sending threads: the last ones queue, time out, and are never made
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> sender.send(ctx, "direct:blocks", "x", Map.of()))
          .hasMessageStartingWith("no answer from direct:blocks");
    }
    assertThatThrownBy(() -> sender.send(ctx, "direct:ok", "late", Map.of()))
        .hasMessageStartingWith("no answer from direct:ok");
    assertThat(received).isEmpty();
  }
}
