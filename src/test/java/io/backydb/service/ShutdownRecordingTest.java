package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.backup.BackupResult;
import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.FileRunHistory;
import io.backydb.camel.service.RunRecord;
import io.backydb.camel.service.RunRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A backup still running when the service is asked to stop finishes (graceful shutdown), and is
 * recorded as every other run: a history record, and the final run on the exchange that a request
 * route replies with.
 */
class ShutdownRecordingTest {

  @TempDir Path dir;
  ServiceFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  /** Makes every backup wait {@code ms} before its store step. */
  private void delayBackups(long ms) throws Exception {
    Path route = fx.routes.resolve("backup.camel.yaml");
    Files.writeString(
        route,
        Files.readString(route)
            .replace(
                "        - process: {ref: store}",
                "        - delay: {constant: "
                    + ms
                    + ", asyncDelayed: false}\n"
                    + "        - process: {ref: store}"));
  }

  @Test
  void aBackupThatFinishesDuringShutdown_isRecorded() throws Exception {
    delayBackups(3000);
    BackyService service = fx.start();
    CamelContext ctx = service.context();

    CompletableFuture<Exchange> running;
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      running = p.asyncSend("direct:backup", e -> e.getMessage().setBody(fx.config.toString()));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ctx.getInflightRepository().size("backup") == 1);
      service.close(); // graceful: waits for the backup
    }
    Exchange done = running.get(60, TimeUnit.SECONDS);
    assertThat(done.getException()).isNull();
    BackupResult result = done.getMessage().getBody(BackupResult.class);
    assertThat(Path.of(result.location())).exists();

    RunRecord run = done.getProperty(RunRecorder.RUN, RunRecord.class);
    assertThat(run.status()).isEqualTo(RunRecord.SUCCEEDED);
    assertThat(run.location()).isEqualTo(result.location());

    List<RunRecord> history = new FileRunHistory(fx.logs.resolve("backy-history.jsonl")).latest(10);
    assertThat(history)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.id()).isEqualTo(run.id());
              assertThat(r.operation()).isEqualTo("backup");
              assertThat(r.status()).isEqualTo(RunRecord.SUCCEEDED);
              assertThat(r.location()).isEqualTo(result.location());
            });
  }

  @Test
  void aBackupCutShortByAForcedShutdown_isRecordedAsInterrupted_andItsEventSent() throws Exception {
    delayBackups(30_000);
    // events to Camel's log component, whose producer a forced shutdown would refuse
    fx.properties("camel.main.shutdownTimeout = 2\nbacky.events.uri = log:backy.test.events\n");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    Logger eventLog = (Logger) LoggerFactory.getLogger("backy.test.events");
    eventLog.addAppender(events);
    try {
      BackyService service = fx.start();
      CamelContext ctx = service.context();
      try (ProducerTemplate p = ctx.createProducerTemplate()) {
        CompletableFuture<Exchange> cut =
            p.asyncSend("direct:backup", e -> e.getMessage().setBody(fx.config.toString()));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> ctx.getInflightRepository().size("backup") == 1);
        service.close(); // the 2 s graceful timeout passes, the shutdown is forced
        // the cut exchange ends too (its thread is interrupted, its next steps refused), failed;
        // it does not add a second record
        assertThat(cut.get(60, TimeUnit.SECONDS).getException()).isNotNull();
      }

      List<RunRecord> history =
          new FileRunHistory(fx.logs.resolve("backy-history.jsonl")).latest(10);
      assertThat(history)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.operation()).isEqualTo("backup");
                assertThat(r.status()).isEqualTo(RunRecord.FAILED);
                assertThat(r.error()).isEqualTo(RunRecorder.INTERRUPTED);
                assertThat(r.database()).isEqualTo(fx.database);
                assertThat(r.finishedAt()).isNotNull();
              });
      List<String> sent = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(sent).hasSize(2);
      assertThat(sent.get(0)).contains("\"event\":\"backup.started\"");
      assertThat(sent.get(1))
          .contains("\"event\":\"backup.failed\"")
          .contains(RunRecorder.INTERRUPTED)
          .contains(history.get(0).id());
    } finally {
      eventLog.detachAppender(events);
    }
  }

  /**
   * A backup request on the real backup route, cut short while its store step waits for the dump
   * (which a table lock holds up): the forced shutdown interrupts the service thread that runs
   * requests, and that thread fails the run itself. It used to record the run with its interrupt
   * flag still set, so the history file (ClosedByInterruptException) and the events endpoint
   * (InterruptedException) both refused it: no record, no final event, and the reason "interrupted
   * while reading from the pipe" in the result.
   */
  @Test
  void aRequestWhoseThreadTheForcedShutdownInterrupts_isRecordedAsInterrupted() throws Exception {
    fx.properties(
        "camel.main.shutdownTimeout = 2\n"
            + "backy.events.uri = log:backy.test.events2\n"
            + "backy.requests.backup.uri = seda:test-backup-requests\n"
            + "backy.requests.result.uri = log:backy.test.results2\n");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    Logger eventLog = (Logger) LoggerFactory.getLogger("backy.test.events2");
    eventLog.addAppender(events);
    ListAppender<ILoggingEvent> results = new ListAppender<>();
    results.start();
    Logger resultLog = (Logger) LoggerFactory.getLogger("backy.test.results2");
    resultLog.addAppender(results);
    try (java.sql.Connection lock = ServiceFixture.server.connect(fx.database);
        java.sql.Statement st = lock.createStatement()) {
      // the dump reads the definitions, then waits for the rows of t until the lock goes
      st.execute("LOCK TABLES t WRITE");
      try {
        BackyService service = fx.start();
        CamelContext ctx = service.context();
        try (ProducerTemplate p = ctx.createProducerTemplate()) {
          p.sendBody("seda:test-backup-requests", Files.readString(fx.config));
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> ctx.getInflightRepository().size("backup") == 1);
        service.close();
      } finally {
        st.execute("UNLOCK TABLES");
      }

      List<RunRecord> history =
          new FileRunHistory(fx.logs.resolve("backy-history.jsonl")).latest(10);
      assertThat(history)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.status()).isEqualTo(RunRecord.FAILED);
                assertThat(r.error()).isEqualTo(RunRecorder.INTERRUPTED);
              });
      List<String> sent = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(sent).hasSize(2);
      assertThat(sent.get(1))
          .contains("\"event\":\"backup.failed\"")
          .contains(RunRecorder.INTERRUPTED)
          .contains(history.get(0).id());
      assertThat(results.list)
          .singleElement()
          .extracting(ILoggingEvent::getFormattedMessage, InstanceOfAssertFactories.STRING)
          .contains(RunRecorder.INTERRUPTED)
          .contains(history.get(0).id());
      try (var files = Files.list(fx.backups)) {
        assertThat(files).as("nothing left in the backup folder").isEmpty();
      }
    } finally {
      eventLog.detachAppender(events);
      resultLog.detachAppender(results);
    }
  }
}
