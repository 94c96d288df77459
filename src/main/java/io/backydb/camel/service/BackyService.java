package io.backydb.camel.service;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.camel.BackyProcessors;
import io.backydb.camel.ResultJson;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/backy run}: Camel Main running the routes folder. The built-in routes (backup,
 * restore, the scheduled-backup template) come from the folder when it has them and from the jar
 * otherwise; every other {@code *.yaml} file of the folder is watched by {@link RoutesFolder}.
 * Backup and restore runs are recorded by {@link RunRecorder}; request queues are consumed by
 * {@link RequestRoutes}; with {@code backy.cluster.enabled} the schedules live in a clustered
 * Quartz JDBC job store ({@link QuartzCluster}).
 */
public final class BackyService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackyService.class);

  /** The files the jar carries, loaded from it when the routes folder lacks them. */
  public static final List<String> BUILT_IN =
      List.of("backup.camel.yaml", "restore.camel.yaml", "scheduled-backup.camel.yaml");

  /** The registry name of the service database's DataSource, for {@code jdbc:} steps. */
  public static final String DATA_SOURCE = "backyDataSource";

  private final Main main;
  private final ServiceDatabase database;
  private final RunRecorder recorder;
  private volatile RoutesFolder folder;

  /** Completes once every start-up step has run; fails with the first one that failed. */
  private final CompletableFuture<Void> up = new CompletableFuture<>();

  public BackyService(ServiceSettings settings) {
    Path dir = settings.routes().toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new BackyException(ErrorCode.CONFIG, "routes folder " + dir + " does not exist");
    }
    // settings checked before anything starts, so that a bad one is a config error, not a
    // half-start
    Duration reloadInterval = settings.reloadInterval();
    settings.requestsMaxBytes();
    boolean clustered = settings.clustered();
    database = settings.databaseUrl().map(u -> ServiceDatabase.open(settings)).orElse(null);
    RunHistory history =
        database != null
            ? new JdbcRunHistory(database.dataSource(), database.where())
            : new FileRunHistory(settings.historyFile());
    recorder = new RunRecorder(settings.node(), settings.eventsUri().orElse(null), history);

    main =
        new Main() {
          /**
           * Camel Main logs a failure of a start-up listener and returns from run() without
           * stopping the context or setting an exit code (the process would exit with status 0).
           * Here it fails the start-up instead: the service stops at once, and run() throws.
           */
          @Override
          protected void afterStart() throws Exception {
            try {
              super.afterStart();
              up.complete(null);
            } catch (Exception e) {
              up.completeExceptionally(e);
              completed();
            }
          }
        };
    main.configure().setName("backydb");
    // the backup stream must never be copied into memory
    main.configure().setStreamCachingEnabled(false);
    main.configure().setRoutesIncludePattern(includePatterns(dir));
    main.setInitialProperties(camelProperties(settings));
    BackyProcessors.all(settings.environment()).forEach(main::bind);
    main.bind(ScheduledTicks.NAME, new ScheduledTicks());
    if (database != null) {
      main.bind(DATA_SOURCE, database.dataSource());
    }
    if (clustered) {
      QuartzCluster.createTables(database.dataSource());
      QuartzComponent quartz = new QuartzComponent();
      quartz.setProperties(QuartzCluster.properties(settings));
      quartz.setPrefixInstanceName(false);
      main.bind("quartz", quartz);
    }
    RequestRoutes requests = new RequestRoutes(settings);
    main.configure().addRoutesBuilder(requests);
    main.addMainListener(
        new MainListenerSupport() {
          @Override
          public void beforeConfigure(BaseMainSupport m) {
            // a step of the user's after backup or restore can send the result as JSON
            ResultJson.register(m.getCamelContext());
            m.getCamelContext()
                .addRoutePolicyFactory(
                    (ctx, routeId, route) -> RunRecorder.applies(routeId) ? recorder : null);
            // once the routes have stopped, and before the endpoints stop: what a forced shutdown
            // cut short is recorded, and its event and request result sent
            m.getCamelContext()
                .getManagementStrategy()
                .addEventNotifier(
                    new EventNotifierSupport() {
                      @Override
                      public void notify(CamelEvent event) {
                        if (event instanceof CamelEvent.CamelContextRoutesStoppedEvent) {
                          recorder.interruptOpenRuns();
                          requests.routesStopped();
                        }
                      }
                    });
          }

          @Override
          public void afterConfigure(BaseMainSupport m) {
            // the beans of backy.properties are bound, and no RabbitMQ connection is made yet
            RabbitMessageLimit.apply(m.getCamelContext(), settings);
          }

          @Override
          public void afterStart(BaseMainSupport m) {
            CamelContext ctx = m.getCamelContext();
            recorder.meters(ctx.getRegistry().findSingleByType(MeterRegistry.class));
            RoutesFolder f = new RoutesFolder(ctx, settings.environment(), dir, reloadInterval);
            f.start();
            folder = f;
            LOG.info(
                "BackyDB is running the routes of {} (history: {}{})",
                dir,
                recorder.history().describe(),
                clustered ? ", clustered schedules" : "");
          }

          @Override
          public void afterStop(BaseMainSupport m) {
            recorder.stopped();
            requests.stopped();
          }

          @Override
          public void beforeStop(BaseMainSupport m) {
            RoutesFolder f = folder;
            if (f != null) {
              f.close();
            }
          }
        });
  }

  /** The Camel Main options this service sets, then the settings file's own keys over them. */
  static Properties camelProperties(ServiceSettings s) {
    Properties p = new Properties();
    int port = s.httpPort();
    if (port > 0) {
      // Camel Main's management server: /observe/health and /observe/metrics
      p.setProperty("camel.management.enabled", "true");
      p.setProperty("camel.management.port", Integer.toString(port));
      p.setProperty("camel.management.healthCheckEnabled", "true");
      p.setProperty("camel.management.metricsEnabled", "true");
      p.setProperty("camel.metrics.enabled", "true");
      p.setProperty("camel.metrics.enableRoutePolicy", "true");
    }
    p.putAll(s.all());
    return p;
  }

  static String includePatterns(Path dir) {
    List<String> patterns = new ArrayList<>();
    for (String builtIn : BUILT_IN) {
      if (!Files.exists(dir.resolve(builtIn))) {
        patterns.add("classpath:routes/" + builtIn);
      }
    }
    // nothing to load from the jar: point Camel Main at a pattern that matches nothing
    return patterns.isEmpty() ? "classpath:routes/none-*.camel.yaml" : String.join(",", patterns);
  }

  /**
   * Runs until the JVM is asked to stop (CLI), and returns the exit status. A failure while
   * starting throws a {@link BackyException} (one line, for the CLI's exit status 1 or 2).
   */
  public int run() throws Exception {
    try {
      main.run();
      startFailure()
          .ifPresent(
              e -> {
                throw e;
              });
      int code = main.getExitCode();
      if (code == Integer.MIN_VALUE) {
        // Camel Main's run() ended on an error it only logged (see afterStart above)
        throw new BackyException(
            ErrorCode.FAILED, "the service stopped on an error (details in the log file)");
      }
      return code;
    } finally {
      closeDatabase();
    }
  }

  /** Why the start-up failed, as one line; empty if it did not (or has not finished). */
  private java.util.Optional<BackyException> startFailure() {
    if (!up.isCompletedExceptionally()) {
      return java.util.Optional.empty();
    }
    Throwable e;
    try {
      up.join();
      return java.util.Optional.empty();
    } catch (java.util.concurrent.CompletionException c) {
      e = c.getCause();
    }
    BackyException b = BackyException.find(e);
    return java.util.Optional.of(
        new BackyException(
            b != null ? b.code() : ErrorCode.FAILED,
            "the service could not start: "
                + (b != null ? b.getMessage() : RoutesFolder.describe(e)),
            e));
  }

  /**
   * Runs the service on a thread of its own and returns once it is up (tests, embedding); {@link
   * #close()} stops it.
   */
  public void start() throws Exception {
    runner =
        new Thread(
            () -> {
              try {
                main.run();
                up.completeExceptionally(new IllegalStateException("the service stopped"));
              } catch (Exception e) {
                up.completeExceptionally(e);
              }
            },
            "backy-main");
    runner.start();
    try {
      up.get(2, java.util.concurrent.TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      java.util.Optional<BackyException> failure = startFailure();
      if (failure.isPresent()) {
        throw failure.get();
      }
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private Thread runner;

  public CamelContext context() {
    return main.getCamelContext();
  }

  public RoutesFolder folder() {
    return folder;
  }

  public RunHistory history() {
    return recorder.history();
  }

  @Override
  public void close() {
    try {
      main.completed();
      if (runner != null) {
        runner.join(60_000);
      }
    } catch (Exception e) {
      LOG.warn("stopping: {}", e.getMessage());
    } finally {
      closeDatabase();
    }
  }

  private void closeDatabase() {
    if (database != null) {
      database.close();
    }
  }
}
