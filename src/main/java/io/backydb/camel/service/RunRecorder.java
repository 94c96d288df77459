package io.backydb.camel.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyException;
import io.backydb.backup.BackupJob;
import io.backydb.camel.BackyExchange;
import io.backydb.format.BackupMetadata;
import io.backydb.restore.RestoreJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.spi.SynchronizationRouteAware;
import org.apache.camel.spi.SynchronizationVetoable;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route policy on the {@code backup} and {@code restore} routes that turns every run into an
 * event (started, succeeded with its metadata, failed with the reason), a history record and
 * metrics. It never fails a run: a broken events endpoint or history store is logged.
 *
 * <p>A run is recorded when the exchange leaves the route, by a {@link SynchronizationRouteAware}
 * that {@link #onExchangeBegin} puts on the exchange: Camel calls it for every route an exchange
 * completes, also while the context is stopping. A route policy's own {@link #onExchangeDone} is
 * not enough: Camel skips it once the context is stopping (CamelInternalProcessor's
 * RoutePolicyAdvice), so a run that finished during a graceful shutdown would have no history
 * record and no final event. Both lead to {@link #done}, which records a run once.
 *
 * <p>A run still open when the routes have stopped (a graceful shutdown that timed out and was
 * forced) never reaches either: {@link #interruptOpenRuns} records it as failed, interrupted.
 */
public final class RunRecorder extends RoutePolicySupport {

  private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);

  /** Exchange property holding the run in progress. */
  public static final String RUN = "backy.run";

  /** Exchange property naming what asked for a run, when it is not the exchange's first route. */
  public static final String TRIGGER = "backy.trigger";

  /** The quartz header with the scheduled fire time of a tick. */
  static final String SCHEDULED_FIRE_TIME = "scheduledFireTime";

  /** The error of a run the service stopped before it finished. */
  public static final String INTERRUPTED =
      "interrupted: the service stopped before the run finished";

  private final String node;
  private final String eventsUri;
  private final RunHistory history;
  private final EndpointSender sender = new EndpointSender();
  private MeterRegistry meters;

  /** Runs begun and not recorded yet, by run id. */
  private final Map<String, Open> open = new ConcurrentHashMap<>();

  private record Open(Route route, Exchange exchange) {}

  public RunRecorder(String node, String eventsUri, RunHistory history) {
    this.node = node;
    this.eventsUri = eventsUri;
    this.history = history;
  }

  /** Routes this policy applies to. */
  public static boolean applies(String routeId) {
    return "backup".equals(routeId) || "restore".equals(routeId);
  }

  @Override
  public void onExchangeBegin(Route route, Exchange exchange) {
    String op = route.getRouteId();
    Object fired = exchange.getMessage().getHeader(SCHEDULED_FIRE_TIME);
    RunRecord started =
        new RunRecord(
            UUID.randomUUID().toString(),
            op,
            RunRecord.STARTED,
            node,
            exchange.getProperty(TRIGGER, exchange.getFromRouteId(), String.class),
            fired instanceof Date d ? d.toInstant() : null,
            Instant.now(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    exchange.setProperty(RUN, started);
    open.put(started.id(), new Open(route, exchange));
    exchange.getExchangeExtension().addOnCompletion(new RunDone(route));
    publish(route, started, null);
  }

  /** Records the run when its exchange leaves the route, whatever state the context is in. */
  private final class RunDone extends SynchronizationAdapter
      implements SynchronizationRouteAware, SynchronizationVetoable {

    private final Route route;

    RunDone(Route route) {
      this.route = route;
    }

    @Override
    public SynchronizationRouteAware getRouteSynchronization() {
      return this;
    }

    @Override
    public void onBeforeRoute(Route r, Exchange exchange) {
      // nothing to do: the run began in onExchangeBegin
    }

    @Override
    public void onAfterRoute(Route r, Exchange exchange) {
      // an exchange may pass other routes inside this one (a step calling direct:...)
      if (r == route || r.getRouteId().equals(route.getRouteId())) {
        done(route, exchange);
      }
    }

    /** Stays with the exchange that runs the route, never a copy of it. */
    @Override
    public boolean allowHandover() {
      return false;
    }

    @Override
    public void beforeHandover(Exchange target) {
      // not handed over
    }
  }

  @Override
  public void onExchangeDone(Route route, Exchange exchange) {
    done(route, exchange);
  }

  /** Records a finished run, once: the exchange's run is no longer STARTED afterwards. */
  private void done(Route route, Exchange exchange) {
    RunRecord started = exchange.getProperty(RUN, RunRecord.class);
    if (started == null
        || !RunRecord.STARTED.equals(started.status())
        || open.remove(started.id()) == null) {
      return; // recorded already (or recorded as interrupted by the shutdown)
    }
    // A forced shutdown interrupts the thread running the route (a request run's, say): a run it
    // cut short fails on that thread and gets here with the interrupt flag set, which would make
    // the history file (ClosedByInterruptException) and the events producer refuse the record.
    // The flag is set again once the run is recorded, for whoever owns the thread.
    boolean interrupted = Thread.interrupted();
    try {
      boolean cutShort = interrupted && stopping(route);
      RunRecord done = finish(started, exchange, cutShort);
      exchange.setProperty(RUN, done); // a request route reads the outcome from here
      // the job's, not the body's: a step of the user's after the backup may replace the body
      BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
      BackupMetadata metadata =
          job == null || exchange.getException() != null ? null : job.metadata();
      record(route, done, metadata, cutShort ? null : exchange.getException());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean stopping(Route route) {
    CamelContext ctx = route.getCamelContext();
    return ctx.isStopping() || ctx.isStopped();
  }

  /**
   * Records every run still open as failed ({@link #INTERRUPTED}), and publishes its final event
   * while the events endpoint still takes it. Called once the routes have stopped: a run open then
   * was cut short by a forced shutdown, and its exchange would never complete to record it.
   *
   * @return the runs so recorded
   */
  public List<RunRecord> interruptOpenRuns() {
    List<RunRecord> interrupted = new ArrayList<>();
    for (String id : List.copyOf(open.keySet())) {
      Open o = open.remove(id);
      if (o == null) {
        continue; // it finished meanwhile
      }
      RunRecord s = o.exchange().getProperty(RUN, RunRecord.class);
      Instant end = Instant.now();
      RunRecord failed =
          s.finished(
              RunRecord.FAILED,
              end,
              database(o.exchange()),
              null,
              null,
              null,
              null,
              null,
              null,
              INTERRUPTED);
      o.exchange().setProperty(RUN, failed);
      record(o.route(), failed, null, null);
      interrupted.add(failed);
    }
    return interrupted;
  }

  /**
   * @param failure what failed the run: a failure BackyDB explains (a BackyException) is the one
   *     line of its reason; any other is logged with its stack trace, as it is a surprise
   */
  private void record(Route route, RunRecord done, BackupMetadata metadata, Throwable failure) {
    try {
      history.record(done);
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot record {} run {} in {}: {}",
          done.operation(),
          done.id(),
          history.describe(),
          e.getMessage());
    }
    count(done);
    publish(route, done, metadata);
    if (RunRecord.FAILED.equals(done.status())) {
      if (failure != null && BackyException.find(failure) == null) {
        LOG.warn("{} {} failed: {}", done.operation(), done.id(), done.error(), failure);
      } else {
        LOG.warn("{} {} failed: {}", done.operation(), done.id(), done.error());
      }
    } else {
      LOG.info(
          "{} {} succeeded in {} ms: {}",
          done.operation(),
          done.id(),
          done.durationMs(),
          done.location());
    }
  }

  private static String database(Exchange exchange) {
    BackupJob bj = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    if (bj != null) {
      return bj.config().database().dbName();
    }
    RestoreJob rj = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    return rj != null ? rj.config().database().dbName() : null;
  }

  /**
   * @param cutShort the service's stop interrupted the run's thread: a failure is then that
   *     interruption (the pipe or the storage it was waiting for), and is reported as such
   */
  private RunRecord finish(RunRecord s, Exchange exchange, boolean cutShort) {
    Instant end = Instant.now();
    Throwable failure = exchange.getException();
    String database = null;
    Long dumpBytes = null;
    Long storedBytes = null;
    String location = null;
    BackupJob bj = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    if (bj != null) {
      database = bj.config().database().dbName();
      location = bj.location();
      if (bj.metadata() != null) {
        dumpBytes = bj.metadata().sizes().dumpBytes();
        storedBytes = bj.metadata().sizes().storedBytes();
      }
    }
    List<String> leftOut = null;
    List<String> insertTriggers = null;
    List<String> engineSubstitutes = null;
    RestoreJob rj = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    if (rj != null) {
      database = rj.config().database().dbName();
      location = rj.source() != null ? rj.source().location() : rj.config().backupPath();
      // what the CLI's summary line says it left out, which INSERT triggers fired for every row
      // and which tables it created in the default engine, where a service's user can see it;
      // the job's, not the body's: a step of the user's after the restore may replace the body
      if (rj.summary() != null) {
        leftOut = rj.summary().leftOut();
        insertTriggers = rj.summary().insertTriggers();
        engineSubstitutes = rj.summary().engineSubstitutes();
      }
    }
    return failure == null
        ? s.finished(
            RunRecord.SUCCEEDED,
            end,
            database,
            dumpBytes,
            storedBytes,
            location,
            leftOut,
            insertTriggers,
            engineSubstitutes,
            null)
        : s.finished(
            RunRecord.FAILED,
            end,
            database,
            null,
            null,
            null,
            null,
            null,
            null,
            cutShort ? INTERRUPTED : reason(failure));
  }

  /** The one-line reason of a failure, as users see it. */
  public static String reason(Throwable t) {
    BackyException b = BackyException.find(t);
    if (b != null) {
      return b.getMessage();
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  /** The JSON of an event or a request result. */
  public static String eventJson(RunRecord run, BackupMetadata metadata) {
    ObjectNode n = FileRunHistory.JSON.createObjectNode();
    n.put("event", run.operation() + "." + run.status());
    n.set("run", FileRunHistory.JSON.valueToTree(run));
    if (metadata != null) {
      try {
        JsonNode m = FileRunHistory.JSON.readTree(io.backydb.format.MetadataJson.write(metadata));
        n.set("metadata", m);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return n.toString();
  }

  private void publish(Route route, RunRecord run, BackupMetadata metadata) {
    if (eventsUri == null) {
      return;
    }
    CamelContext ctx = route.getCamelContext();
    try {
      sender.send(
          ctx,
          eventsUri,
          eventJson(run, metadata),
          Map.of("backyEvent", run.operation() + "." + run.status()));
    } catch (Exception e) {
      LOG.warn(
          "cannot publish the {} event of run {} to {}: {}",
          run.status(),
          run.id(),
          URISupport.sanitizeUri(eventsUri),
          URISupport.sanitizeUri(reason(e)));
    }
  }

  /** Stops the events producer; once the context has stopped. */
  void stopped() {
    sender.stop();
  }

  private void count(RunRecord run) {
    MeterRegistry m = meters;
    if (m == null) {
      return;
    }
    String base = "backy." + run.operation() + "s";
    Counter.builder(base).tag("status", run.status()).register(m).increment();
    Timer.builder("backy." + run.operation() + ".duration")
        .tag("status", run.status())
        .register(m)
        .record(Duration.ofMillis(run.durationMs()));
    if (run.storedBytes() != null) {
      Counter.builder("backy.backup.stored.bytes")
          .baseUnit("bytes")
          .register(m)
          .increment(run.storedBytes());
    }
    if (run.dumpBytes() != null) {
      Counter.builder("backy.backup.dump.bytes")
          .baseUnit("bytes")
          .register(m)
          .increment(run.dumpBytes());
    }
  }

  /** Where metrics go; set once the Camel context has bound its registry. */
  public void meters(MeterRegistry registry) {
    this.meters = registry;
    if (registry != null) {
      for (String op : new String[] {"backups", "restores"}) {
        for (String st : new String[] {RunRecord.SUCCEEDED, RunRecord.FAILED}) {
          Counter.builder("backy." + op).tag("status", st).register(registry);
          Timer.builder("backy." + op.substring(0, op.length() - 1) + ".duration")
              .tag("status", st)
              .register(registry);
        }
      }
      Counter.builder("backy.backup.stored.bytes").baseUnit("bytes").register(registry);
      Counter.builder("backy.backup.dump.bytes").baseUnit("bytes").register(registry);
    }
  }

  public RunHistory history() {
    return history;
  }
}
