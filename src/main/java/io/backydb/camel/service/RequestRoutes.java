package io.backydb.camel.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.backydb.backup.BackupResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumers of backup and restore requests: a message whose body is a JSON or YAML config, on any
 * Camel endpoint ({@code backy.requests.backup.uri}, {@code backy.requests.restore.uri}). The run's
 * result (the same JSON as its final event) is sent to {@code backy.requests.result.uri} when set,
 * and is the reply of a request/reply (InOut) exchange. A failed run is a result, not a redelivery.
 *
 * <p>The consumer does not run the request: it hands it over to the service, one request of a kind
 * at a time, and returns. A request is handed over (accepted) when no other request of its kind is
 * accepted or running; until then the consumer waits with the message unacknowledged, so a busy
 * node leaves further messages to the other nodes. Once handed over, the broker message is
 * acknowledged by the consumer's normal completion, and the run happens on the service's own
 * thread, the {@code seda:} route {@code backup-request-runs} ({@code restore-request-runs}). That
 * route completes what it was given before the context stops ({@link
 * ShutdownRunningTask#CompleteAllTasks}), within the shutdown timeout; the result goes out through
 * a producer of its own ({@link EndpointSender}), which still works during the shutdown.
 *
 * <p>A request/reply (InOut) request cannot be acknowledged before its reply exists: its consumer
 * waits for the run, as before. A consumer that learns its broker took the message back while it
 * waited (RabbitMQ closes the channel after its {@code consumer_timeout}) does not run it.
 */
final class RequestRoutes extends RouteBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(RequestRoutes.class);

  /** The exchange property camel-spring-rabbitmq puts the consumer's AMQP channel in. */
  static final String RABBIT_CHANNEL = "CamelSpringRabbitmqChannel";

  /** The result of a request that was accepted but not run. */
  static final String NOT_RUN = "the service stopped before running the request";

  private final ServiceSettings settings;
  private final EndpointSender sender = new EndpointSender();
  private final RequestConfigFiles configFiles;
  private final long maxBytes;
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private ProducerTemplate producer;

  /** One kind of request: its hand-over slot and what it accepted. */
  private static final class Kind {
    final String name;
    final String runs;

    /** Free while no request of this kind is accepted or running. */
    final Semaphore slot = new Semaphore(1);

    /** Accepted requests whose run has not begun, and the one running, by request id. */
    final Map<String, Request> accepted = new ConcurrentHashMap<>();

    Kind(String name) {
      this.name = name;
      // timeout=0: an InOut hand-over waits for its run however long it takes
      this.runs = "seda:backy-" + name + "-requests?size=10&timeout=0";
    }
  }

  /**
   * Where Camel components put what ties a message to its reply: the correlation id and the message
   * id of AMQP (camel-spring-rabbitmq) and of JMS. A result carries its request's correlation id,
   * or where the request has none its message id (JMS's convention for replies), in the same
   * component's correlation header, so that the client who sent several plain requests can tell
   * which result is whose.
   */
  private static final List<String[]> CORRELATION_HEADERS =
      List.of(
          new String[] {"CamelSpringRabbitmqCorrelationId", "CamelSpringRabbitmqMessageId"},
          new String[] {"JMSCorrelationID", "JMSMessageID"});

  /** An accepted request. */
  private static final class Request {
    final String id;
    final String trigger;

    /** The correlation header of the request's component and its value; null without one. */
    final String correlationHeader;

    final String correlationId;
    final AtomicBoolean resultSent = new AtomicBoolean();
    volatile Exchange run;

    Request(String id, String trigger, Map<String, Object> headers) {
      this.id = id;
      this.trigger = trigger;
      String header = null;
      String value = null;
      for (String[] h : CORRELATION_HEADERS) {
        Object v = headers.get(h[0]) != null ? headers.get(h[0]) : headers.get(h[1]);
        if (v != null && !v.toString().isEmpty()) {
          header = h[0];
          value = v.toString();
          break;
        }
      }
      this.correlationHeader = header;
      this.correlationId = value;
    }

    /** The result JSON with the request's {@code correlation_id}, when it has one. */
    String result(String json) {
      if (correlationId == null) {
        return json;
      }
      try {
        ObjectNode n = (ObjectNode) FileRunHistory.JSON.readTree(json);
        ObjectNode out = FileRunHistory.JSON.createObjectNode();
        out.set("event", n.remove("event"));
        out.put("correlation_id", correlationId);
        out.setAll(n);
        return out.toString();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("a result is JSON", e);
      }
    }

    Map<String, Object> resultHeaders() {
      return correlationId == null ? Map.of() : Map.of(correlationHeader, correlationId);
    }
  }

  RequestRoutes(ServiceSettings settings) {
    this.settings = settings;
    this.configFiles = new RequestConfigFiles(settings.requestsConfigDir().orElse(null));
    this.maxBytes = settings.requestsMaxBytes();
  }

  @Override
  public void configure() {
    settings.get(ServiceSettings.REQUESTS_BACKUP_URI).ifPresent(uri -> routes("backup", uri));
    settings.get(ServiceSettings.REQUESTS_RESTORE_URI).ifPresent(uri -> routes("restore", uri));
  }

  private void routes(String name, String uri) {
    Kind kind = new Kind(name);
    kinds.put(name, kind);
    from(uri).routeId(name + "-requests").process(e -> accept(e, kind));
    from(kind.runs)
        .routeId(name + "-request-runs")
        .shutdownRunningTask(ShutdownRunningTask.CompleteAllTasks)
        .process(e -> run(e, kind));
  }

  private synchronized ProducerTemplate producer() {
    if (producer == null) {
      producer = getContext().createProducerTemplate();
    }
    return producer;
  }

  /** The consumer's part: waits until the kind's slot is free, then hands the request over. */
  private void accept(Exchange request, Kind kind) throws Exception {
    if (refusedForSize(request, kind)) {
      return;
    }
    String config = request.getMessage().getBody(String.class);
    CamelContext ctx = getContext();
    Object channel = request.getProperty(RABBIT_CHANNEL);
    while (true) {
      if (taken(channel)) {
        LOG.info(
            "a {} request went back to the broker before this node could take it; not run here",
            kind.name);
        // no reply: a request/reply exchange would otherwise answer with its own body, the
        // request's config, as if it were the result (the broker runs the request again later)
        request.getMessage().setBody(null);
        request.setRollbackOnly(true);
        return;
      }
      if (ctx.isStopping() || ctx.isStopped()) {
        if (channel != null && !ctx.isStopped()) {
          // camel-spring-rabbitmq rejects a failed message without requeueing it by default; its
          // listener container closes the channel shortly (its shutdownTimeout), which gives the
          // message back
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
          continue;
        }
        throw new IllegalStateException(
            "the service is stopping: the " + kind.name + " request was not accepted");
      }
      if (kind.slot.tryAcquire(200, TimeUnit.MILLISECONDS)) {
        if (taken(channel)) {
          kind.slot.release();
          continue;
        }
        break;
      }
    }
    Request accepted =
        new Request(
            request.getExchangeId(), request.getFromRouteId(), request.getMessage().getHeaders());
    kind.accepted.put(accepted.id, accepted);
    Exchange handed;
    try {
      handed =
          producer()
              .send(
                  kind.runs,
                  request.getPattern(),
                  e -> {
                    e.getMessage().setBody(config);
                    e.setProperty("backy.request", accepted);
                  });
    } catch (RuntimeException e) {
      kind.accepted.remove(accepted.id);
      kind.slot.release();
      throw e;
    }
    if (handed.getException() != null) {
      if (kind.accepted.remove(accepted.id) != null) {
        kind.slot.release(); // the run never began, so its own clean-up did not run
      }
      if (request.getPattern() == ExchangePattern.InOnly) {
        throw handed.getException();
      }
      request.getMessage().setBody(failed(RunRecorder.reason(handed.getException())));
      return;
    }
    if (request.getPattern() == ExchangePattern.InOut) {
      request.getMessage().setBody(handed.getMessage().getBody(String.class));
    }
  }

  /**
   * Refuses a request bigger than {@code backy.requests.max-bytes} before it is read as text or
   * parsed: parsing a config of many megabytes (a list of a million tables) took the heap and
   * killed the thread that runs requests, with no result, no record and the message acknowledged.
   * The refusal is the request's result, as for any other refused request; nothing runs.
   */
  private boolean refusedForSize(Exchange request, Kind kind) {
    Object body = request.getMessage().getBody();
    if (!(body instanceof byte[]) && !(body instanceof String)) {
      body = request.getMessage().getBody(byte[].class);
    }
    long size = body instanceof byte[] b ? b.length : body instanceof String t ? t.length() : 0;
    if (size <= maxBytes) {
      return false;
    }
    Request refused =
        new Request(
            request.getExchangeId(), request.getFromRouteId(), request.getMessage().getHeaders());
    String why =
        "the request is "
            + size
            + " bytes, more than any "
            + kind.name
            + " config ("
            + ServiceSettings.REQUESTS_MAX_BYTES
            + " is "
            + maxBytes
            + ")";
    LOG.warn("{} request {} refused: {}", kind.name, refused.id, why);
    String json = refused.result(failed(why));
    sendResult(refused, json);
    request.getMessage().setBody(request.getPattern() == ExchangePattern.InOut ? json : null);
    return true;
  }

  /** Whether the broker took the message back (its channel closed), so it is not ours to run. */
  private static boolean taken(Object channel) {
    return channel instanceof com.rabbitmq.client.Channel c && !c.isOpen();
  }

  /** The service's part, on the kind's own thread: runs the request and sends its result. */
  private void run(Exchange handed, Kind kind) {
    Request request = handed.getProperty("backy.request", Request.class);
    try {
      String config;
      try {
        config = configFiles.check(handed.getMessage().getBody(String.class));
      } catch (IllegalArgumentException e) {
        LOG.warn("{} request {} refused: {}", kind.name, request.id, e.getMessage());
        String json = request.result(failed(e.getMessage()));
        handed.getMessage().setBody(json);
        sendResult(request, json);
        return;
      }
      Exchange run = getContext().getEndpoint("direct:" + kind.name).createExchange();
      run.getMessage().setBody(config);
      run.setProperty(RunRecorder.TRIGGER, request.trigger);
      request.run = run;
      producer().send("direct:" + kind.name, run);
      String json = request.result(resultJson(run));
      handed.getMessage().setBody(json);
      sendResult(request, json);
    } finally {
      kind.accepted.remove(request.id);
      kind.slot.release();
    }
  }

  static String resultJson(Exchange run) {
    RunRecord record = run.getProperty(RunRecorder.RUN, RunRecord.class);
    if (record == null) {
      return failed(run.getException() == null ? "no run" : RunRecorder.reason(run.getException()));
    }
    Object body = run.getMessage().getBody();
    return RunRecorder.eventJson(
        record,
        RunRecord.FAILED.equals(record.status()) || !(body instanceof BackupResult r)
            ? null
            : r.metadata());
  }

  private static String failed(String error) {
    return "{\"event\":\"request.failed\",\"error\":" + TextNode.valueOf(error) + "}";
  }

  private void sendResult(Request request, String json) {
    if (!request.resultSent.compareAndSet(false, true)) {
      return;
    }
    String uri = settings.get(ServiceSettings.REQUESTS_RESULT_URI).orElse(null);
    if (uri == null) {
      return;
    }
    try {
      sender.send(getContext(), uri, json, request.resultHeaders());
    } catch (Exception e) {
      LOG.warn(
          "cannot send the result of request {} to {}: {}",
          request.id,
          URISupport.sanitizeUri(uri),
          URISupport.sanitizeUri(RunRecorder.reason(e)));
    }
  }

  /**
   * Once the routes have stopped (after {@link RunRecorder#interruptOpenRuns}): a request accepted
   * and never run, or whose run was cut short, gets its result now, while the result endpoint may
   * still take it, and is logged.
   */
  void routesStopped() {
    for (Kind kind : kinds.values()) {
      for (Request r : kind.accepted.values()) {
        Exchange run = r.run;
        if (run == null) {
          LOG.warn("{} request {} was not run: {}", kind.name, r.id, NOT_RUN);
          sendResult(r, r.result(failed(NOT_RUN)));
        } else {
          sendResult(r, r.result(resultJson(run)));
        }
      }
    }
  }

  /** Stops the result producer; once the context has stopped. */
  void stopped() {
    sender.stop();
  }
}
