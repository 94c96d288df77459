package io.backydb.camel.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.URISupport;

/**
 * Sends a message to an endpoint of the settings (events, request results) with a producer of its
 * own, so that it still works while the context stops: a {@code ProducerTemplate} refuses every
 * exchange once a graceful shutdown has timed out (Camel's internal processor fails it with a
 * RejectedExecutionException), which would lose the final event of a run cut short and the result
 * of a request. The endpoint and its component stay started until after the routes have stopped,
 * which is when the last messages go.
 */
final class EndpointSender {

  /** How long one send may take before it is given up (a broker that does not answer). */
  private static final long SEND_TIMEOUT_SECONDS = 30;

  private final Map<String, Producer> producers = new ConcurrentHashMap<>();

  /** Sends {@code body} with {@code headers}; throws when the endpoint refused it. */
  void send(CamelContext ctx, String uri, String body, Map<String, Object> headers)
      throws Exception {
    Producer producer = producer(ctx, uri);
    Exchange exchange = producer.getEndpoint().createExchange();
    exchange.getMessage().setBody(body);
    headers.forEach(exchange.getMessage()::setHeader);
    if (producer instanceof AsyncProcessor async) {
      CountDownLatch done = new CountDownLatch(1);
      async.process(exchange, sync -> done.countDown());
      if (!done.await(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "no answer from " + URISupport.sanitizeUri(uri) + " in " + SEND_TIMEOUT_SECONDS + " s");
      }
    } else {
      producer.process(exchange);
    }
    if (exchange.getException() != null) {
      throw exchange.getException();
    }
  }

  private Producer producer(CamelContext ctx, String uri) throws Exception {
    Producer p = producers.get(uri);
    if (p != null) {
      return p;
    }
    synchronized (this) {
      p = producers.get(uri);
      if (p == null) {
        Endpoint endpoint = ctx.getEndpoint(uri);
        p = endpoint.createProducer();
        ServiceHelper.startService(p);
        producers.put(uri, p);
      }
      return p;
    }
  }

  /** Stops the producers (once the context has stopped). */
  void stop() {
    producers.values().forEach(ServiceHelper::stopAndShutdownService);
    producers.clear();
  }
}
