package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.RoutesFolder;
import io.backydb.camel.service.RunRecord;
import io.backydb.camel.service.ScheduledTicks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.slf4j.LoggerFactory;

/** Schedules from the scheduled-backup route template, run by the real routes folder. */
class ScheduleTest {

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

  @Test
  void schedule_runsBackupsOnItsCron_andRecordsThemInTheHistory() throws Exception {
    Files.writeString(
        fx.routes.resolve("every-2s.camel.yaml"),
        ServiceFixture.schedule("every-2s", "0/2 * * * * ?", fx.config));
    BackyService service = fx.start();

    await().atMost(Duration.ofSeconds(30)).until(() -> fx.backupCount() >= 2);
    List<RunRecord> runs = service.history().latest(10);
    assertThat(runs).isNotEmpty();
    RunRecord run = runs.get(runs.size() - 1);
    assertThat(run.operation()).isEqualTo("backup");
    assertThat(run.status()).isEqualTo(RunRecord.SUCCEEDED);
    assertThat(run.trigger()).isEqualTo("every-2s");
    assertThat(run.scheduledAt()).isNotNull();
    assertThat(run.database()).isEqualTo(fx.database);
    assertThat(run.storedBytes()).isPositive();
    assertThat(run.location()).contains(fx.backups.toString());
    assertThat(run.durationMs()).isNotNull();
  }

  @Test
  void schedule_doesNotStartABackupWhileThePreviousOneRuns() throws Exception {
    // a backup that takes ~3 s, on a schedule ticking every second
    Path backupRoute = fx.routes.resolve("backup.camel.yaml");
    Files.writeString(
        backupRoute,
        Files.readString(backupRoute)
            .replace(
                "        - process: {ref: backupConfig}",
                "        - delay: {constant: 3000, asyncDelayed: false}\n        - process: {ref: backupConfig}"));
    Files.writeString(
        fx.routes.resolve("busy.camel.yaml"),
        ServiceFixture.schedule("busy", "* * * * * ?", fx.config));
    BackyService service = fx.start();

    await().atMost(Duration.ofSeconds(40)).until(() -> service.history().latest(10).size() >= 3);
    List<RunRecord> runs =
        service.history().latest(10).stream()
            .sorted(Comparator.comparing(RunRecord::startedAt))
            .toList();
    assertThat(runs).allMatch(r -> r.status().equals(RunRecord.SUCCEEDED));
    for (int i = 1; i < runs.size(); i++) {
      // each run started after the one before had finished
      assertThat(runs.get(i).startedAt()).isAfterOrEqualTo(runs.get(i - 1).finishedAt());
    }
  }

  @Test
  void schedule_runsOneCatchUpBackupAfterABackupThatRanPastSeveralTicks() throws Exception {
    // the first backup takes ~5 s, on a schedule ticking every second; later ones are quick
    Path backupRoute = fx.routes.resolve("backup.camel.yaml");
    Files.writeString(
        backupRoute,
        Files.readString(backupRoute)
            .replace(
                "        - process: {ref: backupConfig}",
                "        - choice:\n"
                    + "            when:\n"
                    + "              - simple: \"${variable.global:held} == null\"\n"
                    + "                steps:\n"
                    + "                  - setVariable: {name: \"global:held\", constant: yes}\n"
                    + "                  - delay: {constant: 5000, asyncDelayed: false}\n"
                    + "        - process: {ref: backupConfig}"));
    Files.writeString(
        fx.routes.resolve("busy.camel.yaml"),
        ServiceFixture.schedule("busy", "* * * * * ?", fx.config));
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger ticks = (Logger) LoggerFactory.getLogger(ScheduledTicks.class);
    ticks.addAppender(log);
    try {
      BackyService service = fx.start();

      // wait for the ticks after the long backup to be regular again (scheduled after it ended)
      await()
          .atMost(Duration.ofSeconds(40))
          .until(
              () -> {
                List<RunRecord> runs = byStart(service);
                return !runs.isEmpty()
                    && runs.stream()
                        .anyMatch(
                            r -> r.scheduledAt().isAfter(runs.get(0).finishedAt().plusSeconds(2)));
              });
      List<RunRecord> runs = byStart(service);
      RunRecord held = runs.get(0);
      assertThat(held.durationMs()).isGreaterThanOrEqualTo(5000);
      // the ~5 ticks that came due while it ran gave one catch-up backup, started when it ended
      List<RunRecord> catchUp =
          runs.stream().skip(1).filter(r -> r.scheduledAt().isBefore(held.finishedAt())).toList();
      assertThat(catchUp).hasSize(1);
      assertThat(Duration.between(held.finishedAt(), catchUp.get(0).startedAt()))
          .isLessThan(Duration.ofSeconds(2));
      for (int i = 1; i < runs.size(); i++) {
        assertThat(runs.get(i).startedAt()).isAfterOrEqualTo(runs.get(i - 1).finishedAt());
      }
      // the others were skipped, each with a line
      assertThat(
              log.list.stream()
                  .filter(e -> e.getLevel() == Level.INFO)
                  .map(ILoggingEvent::getFormattedMessage)
                  .filter(m -> m.startsWith("schedule busy: skipped the tick of "))
                  .count())
          .isGreaterThanOrEqualTo(3);
    } finally {
      ticks.detachAppender(log);
    }
  }

  /**
   * Two schedules of one database with the same cron (a daily and a weekly one, both at 02:30)
   * start their backups in the same second, so the clock gives both the same name. The second to
   * commit used to fail at every such tick ("another backup took the name ... in the same second;
   * run it again"): the scheduled backup was simply not made. Each now takes a name of its own. A
   * third, compressed schedule (a .backy file, same sidecar name) is in the same race.
   */
  @Test
  void schedulesOfOneDatabaseFiringTogether_eachMakeTheirBackup() throws Exception {
    Path compressed = dir.resolve("compressed.yaml");
    Files.writeString(
        compressed,
        ServiceFixture.backupConfigYaml(fx.database)
            + "compression:\n  compression: true\n  compression_type: zstd\n");
    Files.writeString(
        fx.routes.resolve("daily.camel.yaml"),
        ServiceFixture.schedule("daily", "0/2 * * * * ?", fx.config));
    Files.writeString(
        fx.routes.resolve("weekly.camel.yaml"),
        ServiceFixture.schedule("weekly", "0/2 * * * * ?", fx.config));
    Files.writeString(
        fx.routes.resolve("packed.camel.yaml"),
        ServiceFixture.schedule("packed", "0/2 * * * * ?", compressed));
    BackyService service = fx.start();

    await().atMost(Duration.ofSeconds(40)).until(() -> service.history().latest(100).size() >= 9);
    List<RunRecord> runs = service.history().latest(100);
    assertThat(runs)
        .as("every scheduled backup succeeded")
        .allSatisfy(r -> assertThat(r.error()).isNull());
    assertThat(runs.stream().map(RunRecord::location).distinct().count()).isEqualTo(runs.size());
    assertThat(runs.stream().map(RunRecord::location))
        .anyMatch(l -> l.matches(".*_[0-9]{8}T[0-9]{6}Z-1\\.(sql|backy)"));
    assertThat(fx.backupCount()).isGreaterThanOrEqualTo(runs.size());
  }

  /**
   * A scheduled backup that fails for a reason it states (here: a database that does not exist)
   * says so in one WARN line, the run's, and nothing else: each failed tick used to add an ERROR
   * from Camel's error handler (message history and stack trace), an ERROR from camel-quartz's job
   * and Quartz's own stack trace, some 150 lines a tick for one known cause.
   */
  @Test
  void aScheduledBackupThatFails_isOneWarningLine() throws Exception {
    Path missing = dir.resolve("missing-db.yaml");
    Files.writeString(missing, ServiceFixture.backupConfigYaml(fx.database + "_not_there"));
    Files.writeString(
        fx.routes.resolve("broken.camel.yaml"),
        ServiceFixture.schedule("broken", "* * * * * ?", missing));
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(log);
    try {
      BackyService service = fx.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> service.history().latest(10).size() >= 2);
      service.close();
      List<ILoggingEvent> warnings =
          List.copyOf(log.list).stream()
              .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
              .toList();
      assertThat(warnings)
          .isNotEmpty()
          .allSatisfy(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage())
                    .matches(
                        "backup [0-9a-f-]+ failed: database '"
                            + fx.database
                            + "_not_there' does not exist on .*");
                assertThat(e.getThrowableProxy()).isNull();
              });
      assertThat(
              List.copyOf(log.list).stream()
                  .filter(e -> e.getThrowableProxy() != null)
                  .map(ILoggingEvent::getFormattedMessage))
          .as("no stack trace at any level")
          .isEmpty();
    } finally {
      root.detachAppender(log);
    }
  }

  /**
   * A schedule whose backups could only fail for what the config asks of the service (a variable
   * its environment lacks, encryption without a key's location, a CA file that is not there) is
   * refused when it loads, as one ERROR line naming the routes file and the config: it used to load
   * and fail at every tick.
   */
  @Test
  void scheduleWhoseBackupsCouldOnlyFail_isRefusedWhenItLoads_namingTheFileAndTheCause()
      throws Exception {
    String base = ServiceFixture.backupConfigYaml(fx.database);
    java.util.Map<String, String> configs = new java.util.LinkedHashMap<>();
    configs.put(
        "hmac",
        base
            + "integrity: {integrity_check: true, integrity_type: hmac}\n"
            + "|environment variable INTEGRITY_PASSWORD is not set");
    configs.put(
        "keystore",
        base
            + "security: {encryption: true, type: keystore, provider: local}\n"
            + "|environment variable LOCAL_KEY_STORE_PATH is not set");
    configs.put(
        "no-type",
        base
            + "security: {encryption: true, provider: local}\n"
            + "|security.type is required with encryption: keystore or kms");
    configs.put(
        "no-key-id",
        base
            + "security: {encryption: true, type: kms}\n"
            + "|security.key_id is required with security.type kms");
    Path noCa = dir.resolve("no-such-ca.pem");
    configs.put(
        "tls-ca",
        ServiceFixture.server.databaseYaml("root", fx.database)
            + "  tls: verify_ca\n  tls_ca: "
            + noCa
            + "\nstorage:\n  storage_type: local\n"
            + "|database.tls_ca "
            + noCa
            + " does not exist");
    for (var c : configs.entrySet()) {
      Path config = dir.resolve(c.getKey() + ".yaml");
      Files.writeString(config, c.getValue().substring(0, c.getValue().indexOf('|')));
      Files.writeString(
          fx.routes.resolve(c.getKey() + ".camel.yaml"),
          ServiceFixture.schedule(c.getKey(), "* * * * * ?", config));
    }
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger folderLog = (Logger) LoggerFactory.getLogger(RoutesFolder.class);
    folderLog.addAppender(log);
    try {
      BackyService service = fx.start();
      for (var c : configs.entrySet()) {
        String file = c.getKey() + ".camel.yaml";
        String cause = c.getValue().substring(c.getValue().indexOf('|') + 1);
        assertThat(service.context().getRoute(c.getKey())).as(file).isNull();
        assertThat(service.folder().error(file)).as(file).contains(cause);
        assertThat(
                List.copyOf(log.list).stream()
                    .filter(e -> e.getLevel() == Level.ERROR)
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("routes file " + file + " is broken")))
            .as(file)
            .singleElement()
            .satisfies(
                m ->
                    assertThat(m)
                        .contains(dir.resolve(c.getKey() + ".yaml").toString())
                        .contains(cause)
                        .doesNotContain("\n"));
      }
      // no job is left to tick, and none ticked: history stays empty for more than a second,
      // in which each schedule would have ticked had it loaded
      Scheduler scheduler =
          service.context().getComponent("quartz", QuartzComponent.class).getScheduler();
      for (String name : configs.keySet()) {
        assertThat(scheduler.checkExists(JobKey.jobKey(name, "backy"))).as(name).isFalse();
      }
      await()
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> service.history().latest(10).isEmpty());
    } finally {
      folderLog.detachAppender(log);
    }
  }

  /**
   * The config is checked again at each tick: one changed after its schedule loaded, to need a
   * variable the service does not have, fails the backup with that variable's name.
   */
  @Test
  void scheduleWhoseConfigChangesAfterItLoaded_failsTheBackupNamingWhatIsMissing()
      throws Exception {
    Files.writeString(
        fx.routes.resolve("every-1s.camel.yaml"),
        ServiceFixture.schedule("every-1s", "* * * * * ?", fx.config));
    BackyService service = fx.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> fx.backupCount() >= 1);
    Files.writeString(
        fx.config,
        ServiceFixture.backupConfigYaml(fx.database)
            + "integrity: {integrity_check: true, integrity_type: hmac}\n");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                service.history().latest(100).stream()
                    .anyMatch(
                        r ->
                            RunRecord.FAILED.equals(r.status())
                                && r.error() != null
                                && r.error()
                                    .startsWith(
                                        "environment variable INTEGRITY_PASSWORD is not set")));
  }

  private static List<RunRecord> byStart(BackyService service) {
    return service.history().latest(100).stream()
        .sorted(Comparator.comparing(RunRecord::startedAt))
        .toList();
  }

  @Test
  void exampleSchedule_loadsAsShipped_andWaitsForItsTime() throws Exception {
    BackyService service = fx.start();
    Files.copy(
        Path.of("routes", "examples", "nightly-backup.camel.yaml"),
        fx.routes.resolve("nightly-backup.camel.yaml"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> service.context().getRoute("nightly-shop") != null);
    assertThat(service.context().getRoute("nightly-shop").getEndpoint().getEndpointUri())
        .startsWith("quartz://backy/nightly-shop");
    assertThat(service.folder().error("nightly-backup.camel.yaml")).isNull();
  }
}
