package io.backydb.camel.service;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;

/**
 * Bounds the size of a RabbitMQ message the service receives. The RabbitMQ client reads a message
 * whole (and copies it once) before any Camel route sees it, so a message of a sizeable part of the
 * heap (60 MB with {@code bin/backy}'s 96 MiB: it holds about twice the message while reading it)
 * ended the service with an OutOfMemoryError, again at every redelivery. The client's own limit
 * ({@code maxInboundMessageBodySize}, 64 MiB by default) is lowered here to a quarter of the heap:
 * a bigger message is refused by the client as soon as its size is known, before its body is read;
 * the client closes the connection, the broker requeues the message, and spring-rabbitmq
 * reconnects. (A message under that limit but over {@code backy.requests.max-bytes} is received,
 * and refused with a result by {@link RequestRoutes}.) The client's refusal is logged as one line
 * naming the size and the limit; a quorum queue's {@code x-delivery-limit} then dead-letters the
 * message (docs/scheduling.md).
 *
 * <p>A settings file that sets {@code maxInboundMessageBodySize} itself (on its connection factory
 * bean) is left as it is.
 */
final class RabbitMessageLimit {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitMessageLimit.class);

  /** The RabbitMQ client's own default limit. */
  static final int CLIENT_DEFAULT = 64 << 20;

  /** What the client says when a message is over its limit (amqp-client's CommandAssembler). */
  private static final java.util.regex.Pattern TOO_LARGE =
      java.util.regex.Pattern.compile(
          "Message body is too large \\((\\d+)\\), maximum configured size is (\\d+)");

  private RabbitMessageLimit() {}

  /** The limit for a heap of {@code maxHeap} bytes: a quarter of it, at most the client's own. */
  static int forHeap(long maxHeap) {
    return (int) Math.min(CLIENT_DEFAULT, maxHeap / 4);
  }

  /**
   * Applies the limit to every spring-rabbitmq connection factory bound in the registry, unless the
   * settings set {@code maxInboundMessageBodySize} themselves; before any connection is made.
   */
  static void apply(CamelContext ctx, ServiceSettings settings) {
    boolean own =
        settings.all().stringPropertyNames().stream()
            .anyMatch(k -> k.endsWith(".maxInboundMessageBodySize"));
    int limit = forHeap(Runtime.getRuntime().maxMemory());
    for (AbstractConnectionFactory f :
        ctx.getRegistry().findByType(AbstractConnectionFactory.class)) {
      com.rabbitmq.client.ConnectionFactory rabbit = f.getRabbitConnectionFactory();
      if (!own) {
        rabbit.setMaxInboundMessageBodySize(limit);
      }
      if (rabbit.getExceptionHandler().getClass() == DefaultExceptionHandler.class) {
        rabbit.setExceptionHandler(new OversizedMessageLog());
      }
    }
  }

  /** The client's default exception handler, with one line instead of a stack trace for size. */
  static final class OversizedMessageLog extends DefaultExceptionHandler {
    @Override
    public void handleUnexpectedConnectionDriverException(Connection conn, Throwable e) {
      java.util.regex.Matcher m =
          TOO_LARGE.matcher(
              e instanceof IllegalStateException ? String.valueOf(e.getMessage()) : "");
      if (!m.find()) {
        super.handleUnexpectedConnectionDriverException(conn, e);
        return;
      }
      LOG.warn(
          "a RabbitMQ message of {} bytes was not received: more than the limit of {} bytes"
              + " (maxInboundMessageBodySize; by default a quarter of the heap); the broker gets it"
              + " back and delivers it again until a delivery limit dead-letters it"
              + " (x-delivery-limit, see docs/scheduling.md) or it is removed from its queue",
          m.group(1),
          m.group(2));
    }
  }
}
