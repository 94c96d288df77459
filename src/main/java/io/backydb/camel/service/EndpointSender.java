package io.backydb.camel.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  /**
   * At most this many sends at once. A send that blocks (spring-rabbitmq publishes synchronously,
   * and a broker short of memory or disk blocks its publishers) holds one of them until the broker
   * lets it go; later sends queue behind them and give up at their own timeout.
   */
  private static final int SENDING_THREADS = 4;

  private final Map<String, Producer> producers = new ConcurrentHashMap<>();
  private final Duration timeout;
  private final ThreadPoolExecutor sending;

  EndpointSender() {
    this(SEND_TIMEOUT);
  }

  EndpointSender(Duration timeout) {
    this.timeout = timeout;
    this.sending =
        new ThreadPoolExecutor(
            SENDING_THREADS,
            SENDING_THREADS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "backy-endpoint-send");
              t.setDaemon(true); // one stuck on a broker must not keep the JVM alive
              return t;
            });
    sending.allowCoreThreadTimeOut(true);
  }

  /**
   * Sends {@code body} with {@code headers}; throws when the endpoint refused it or did not take it
   * within the timeout. The send runs on a thread of its own, so that a producer that blocks inside
   * {@code process} (not only one that never calls back) cannot hold the caller, a run's thread,
   * beyond the timeout. A send given up before it started is not made later.
   */
  void send(CamelContext ctx, String uri, String body, Map<String, Object> headers)
      throws Exception {
    Producer producer = producer(ctx, uri);
    Exchange exchange = producer.getEndpoint().createExchange();
    exchange.getMessage().setBody(body);
    headers.forEach(exchange.getMessage()::setHeader);
    CountDownLatch done = new CountDownLatch(1);
    AtomicBoolean givenUp = new AtomicBoolean();
    sending.execute(
        () -> {
          if (givenUp.get()) {
            return;
          }
          try {
            if (producer instanceof AsyncProcessor async) {
              async.process(exchange, sync -> done.countDown());
              return;
            }
            producer.process(exchange);
          } catch (Exception e) { // also from an async producer, which then may never call back
            exchange.setException(e);
          }
          done.countDown();
        });
    if (!awaitUninterruptibly(done, timeout)) {
      givenUp.set(true);
      throw new IllegalStateException(
          "no answer from " + URISupport.sanitizeUri(uri) + " in " + timeout.toSeconds() + " s");
    }
    if (exchange.getException() != null) {
      throw exchange.getException();
    }
  }

  /**
   * Waits for the send even on an interrupted thread: a forced shutdown interrupts the thread of a
   * run it cut short, which is the thread that sends that run's final event and result. The wait is
   * bounded by the timeout all the same; the interrupt flag is set again afterwards.
   */
  private static boolean awaitUninterruptibly(CountDownLatch done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
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
    sending.shutdown(); // a send still blocked on its broker is left to its daemon thread
    producers.values().forEach(ServiceHelper::stopAndShutdownService);
    producers.clear();
  }
}
