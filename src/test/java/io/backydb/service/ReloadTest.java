package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.backup.BackupResult;
import io.backydb.camel.service.BackyService;
import io.backydb.camel.service.RoutesFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.slf4j.LoggerFactory;

/** Files dropped into, changed in and deleted from the routes folder of a running service. */
class ReloadTest {

  static final Duration WITHIN = Duration.ofSeconds(10);

  @TempDir Path dir;
  ServiceFixture fx;
  ListAppender<ILoggingEvent> log;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    log = new ListAppender<>();
    log.start();
    ((Logger) LoggerFactory.getLogger(RoutesFolder.class)).addAppender(log);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(RoutesFolder.class)).detachAppender(log);
    fx.close();
  }

  static String directRoute(String id, String uri, String reply) {
    return "- route:\n    id: "
        + id
        + "\n    from:\n      uri: "
        + uri
        + "\n      steps:\n        - setBody: {constant: \""
        + reply
        + "\"}\n";
  }

  private String call(CamelContext ctx, String uri) {
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      return p.requestBody(uri + "?block=false", "", String.class);
    } catch (Exception e) {
      return "unavailable: " + e.getMessage();
    }
  }

  private List<String> warnings() {
    return log.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private List<String> errors() {
    return log.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void folder_addsReplacesAndRemovesOnlyTheRoutesOfTheFileThatChanged() throws Exception {
    Files.writeString(fx.routes.resolve("b.camel.yaml"), directRoute("b1", "direct:b", "b"));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Route b1 = ctx.getRoute("b1");
    assertThat(b1).isNotNull();

    // added
    Path a = fx.routes.resolve("a.camel.yaml");
    Files.writeString(a, directRoute("a1", "direct:a", "a-v1"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:a").equals("a-v1"));

    // changed: a1 replaced, a2 added, b1 untouched
    Files.writeString(
        a, directRoute("a1", "direct:a", "a-v2") + directRoute("a2", "direct:a2", "a2"));
    // the file's two routes start one after the other
    await()
        .atMost(WITHIN)
        .until(() -> call(ctx, "direct:a").equals("a-v2") && call(ctx, "direct:a2").equals("a2"));
    assertThat(ctx.getRoute("b1")).isSameAs(b1);

    // changed again, dropping a2
    Files.writeString(a, directRoute("a1", "direct:a", "a-v3"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:a").equals("a-v3"));
    assertThat(ctx.getRoute("a2")).isNull();

    // deleted
    Files.delete(a);
    await().atMost(WITHIN).until(() -> ctx.getRoute("a1") == null);
    assertThat(ctx.getRoute("b1")).isSameAs(b1);
    assertThat(call(ctx, "direct:b")).isEqualTo("b");
    assertThat(ctx.getRoute("backup")).isNotNull();
    assertThat(errors()).isEmpty();
  }

  @Test
  void folder_reportsBrokenFilesAndKeepsEveryOtherRouteRunning() throws Exception {
    Files.writeString(
        fx.routes.resolve("good.camel.yaml"), directRoute("good", "direct:good", "ok"));
    // broken from the start
    Files.writeString(
        fx.routes.resolve("bad-yaml.camel.yaml"), "- route: {id: x, from: [unclosed\n");
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Route good = ctx.getRoute("good");
    assertThat(service.folder().error("bad-yaml.camel.yaml")).isNotBlank();

    // broken while running
    Files.writeString(
        fx.routes.resolve("unknown-step.camel.yaml"),
        "- route:\n    id: unknown-step\n    from:\n      uri: direct:u\n      steps:\n"
            + "        - process: {ref: noSuchStep}\n");
    Files.writeString(
        fx.routes.resolve("bad-cron.camel.yaml"),
        ServiceFixture.schedule("bad-cron", "every day at noon", fx.config));
    Files.writeString(
        fx.routes.resolve("missing-config.camel.yaml"),
        ServiceFixture.schedule("missing-config", "0 0 3 * * ?", dir.resolve("nope.yaml")));
    await()
        .atMost(WITHIN)
        .until(
            () ->
                errors().stream()
                        .filter(
                            m ->
                                m.contains("unknown-step.camel.yaml is broken")
                                    || m.contains("bad-cron.camel.yaml is broken")
                                    || m.contains("missing-config.camel.yaml is broken"))
                        .count()
                    == 3);
    String all = String.join("\n", errors());
    assertThat(all)
        .contains("bad-yaml.camel.yaml is broken")
        .contains("noSuchStep")
        .contains("every day at noon")
        .contains("nope.yaml");
    assertThat(ctx.getRoute("unknown-step")).isNull();
    assertThat(ctx.getRoute("bad-cron")).isNull();
    assertThat(ctx.getRoute("missing-config")).isNull();
    assertThat(ctx.getRoute("good")).isSameAs(good);
    assertThat(call(ctx, "direct:good")).isEqualTo("ok");
    assertThat(ctx.getRoute("backup")).isNotNull();

    // fixing a broken file loads it
    Files.writeString(
        fx.routes.resolve("bad-yaml.camel.yaml"), directRoute("x", "direct:x", "fixed"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:x").equals("fixed"));
  }

  /** A file named *.yml is not loaded, and says so once instead of being ignored in silence. */
  @Test
  void folder_warnsOnceOfAYmlFile_whichItDoesNotLoad() throws Exception {
    Files.writeString(fx.routes.resolve("at-start.yml"), directRoute("y1", "direct:y1", "one"));
    BackyService service = fx.start();
    Files.writeString(fx.routes.resolve("later.yml"), directRoute("y2", "direct:y2", "two"));
    await()
        .atMost(WITHIN)
        .until(() -> warnings().stream().filter(m -> m.contains("later.yml")).count() == 1);
    assertThat(warnings())
        .contains(
            "routes file at-start.yml is not loaded: only *.yaml files are; rename it to"
                + " at-start.yaml",
            "routes file later.yml is not loaded: only *.yaml files are; rename it to later.yaml");
    // a few scans later, still once each
    Files.writeString(
        fx.routes.resolve("marker.camel.yaml"), directRoute("marker", "direct:m", "m"));
    await().atMost(WITHIN).until(() -> service.context().getRoute("marker") != null);
    assertThat(warnings().stream().filter(m -> m.contains(".yml is not loaded"))).hasSize(2);
    assertThat(service.context().getRoute("y1")).isNull();
    assertThat(service.context().getRoute("y2")).isNull();
  }

  /** Writes a routes file while the service runs; returns once the file's ERROR line is logged. */
  private void writeAndAwaitItsError(String name, String content) throws Exception {
    Files.writeString(fx.routes.resolve(name), content);
    await().atMost(WITHIN).until(() -> errorsAbout(name) == 1);
  }

  /**
   * A schedule whose config has an unknown key is refused with the line {@code backy backup} gives
   * for it; the loader's Jackson text followed it ("...: Unrecognized field "pasword" (class
   * io.backydb.config.DatabaseConfig), not marked as ignorable (10 known properties: ...").
   */
  @Test
  void folder_refusesAScheduleWhoseConfigHasAnUnknownKey_inTheCommandLinesWords() throws Exception {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(
        typo,
        ServiceFixture.backupConfigYaml(fx.database).replace("  user:", "  pasword: x\n  user:"));
    BackyService service = fx.start();
    writeAndAwaitItsError("typo.camel.yaml", ServiceFixture.schedule("typo", "0 0 3 * * ?", typo));
    assertThat(errors())
        .containsExactly(
            "routes file typo.camel.yaml is broken: schedule typo: "
                + typo
                + ": unknown key 'database.pasword'; its routes are not running, the others are");
    assertThat(service.context().getRoute("typo")).isNull();
  }

  /** A YAML syntax error is one short line with the line and column of the problem. */
  @Test
  void folder_reportsAYamlSyntaxErrorWithItsLine() throws Exception {
    BackyService service = fx.start();
    writeAndAwaitItsError(
        "indented.camel.yaml",
        "- route:\n    id: indented\n    from:\n      uri: direct:y\n      steps:\n"
            + "        - to: direct:backup\n       - log: x\n");
    assertThat(errors())
        .contains(
            "routes file indented.camel.yaml is broken: YAML syntax error at line 7, column 8:"
                + " expected <block end>, but found '<block sequence start>' (while parsing a"
                + " block mapping that starts at line 4, column 7); its routes are not running,"
                + " the others are");
    assertThat(service.context().getRoute("indented")).isNull();
  }

  /**
   * A route naming a Camel component that BackyDB does not ship (kafka, ftp) refuses that file
   * only, with one line naming the file, the route and the component (not Camel's message, which
   * repeats the whole route and the URI), and without the URI, whose password would be in the log.
   */
  @Test
  void folder_refusesAFileUsingAComponentNotShipped_namingFileRouteAndComponent() throws Exception {
    Files.writeString(
        fx.routes.resolve("good.camel.yaml"), directRoute("good", "direct:good", "ok"));
    Files.writeString(
        fx.routes.resolve("kafka.camel.yaml"),
        "- route:\n    id: from-kafka\n    from:\n      uri: kafka:backy.backup?brokers=k:9092\n"
            + "      steps:\n        - to: direct:backup\n");
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    writeAndAwaitItsError(
        "ftp.camel.yaml",
        "- route:\n    id: to-ftp\n    from:\n      uri: direct:f\n      steps:\n"
            + "        - to: ftp://bob@127.0.0.1/backups?password=hunter2\n");
    assertThat(errors())
        .contains(
            "routes file kafka.camel.yaml is broken: route from-kafka uses the Camel component"
                + " 'kafka', which is not on the classpath (BackyDB does not ship camel-kafka; add"
                + " its jar, see \"JMS, AMQP 1.0, Kafka\" in docs/scheduling.md, or check the"
                + " endpoint's spelling); its routes are not running, the others are",
            "routes file ftp.camel.yaml is broken: route to-ftp uses the Camel component 'ftp',"
                + " which is not on the classpath (BackyDB does not ship camel-ftp; add its jar,"
                + " see \"JMS, AMQP 1.0, Kafka\" in docs/scheduling.md, or check the endpoint's"
                + " spelling); its routes are not running, the others are");
    assertThat(String.join("\n", errors())).doesNotContain("hunter2").doesNotContain("bob@");
    assertThat(ctx.getRoute("from-kafka")).isNull();
    assertThat(ctx.getRoute("to-ftp")).isNull();
    assertThat(call(ctx, "direct:good")).isEqualTo("ok");
    assertThat(ctx.getRoute("backup")).isNotNull();
  }

  /**
   * A routes file that cannot be read. As root, permissions do not stop a read, so the file is a
   * link to /proc/self/mem: a regular file whose reading fails with an I/O error.
   */
  private Path unreadable(String name) throws Exception {
    Path mem = Path.of("/proc/self/mem");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isRegularFile(mem), "needs Linux's /proc/self/mem");
    // made beside it and renamed over it, so that no scan sees the file missing
    Path link = Files.createSymbolicLink(fx.routes.resolve(name + ".tmp"), mem);
    return Files.move(
        link,
        fx.routes.resolve(name),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private long errorsAbout(String file) {
    return errors().stream().filter(m -> m.contains(file)).count();
  }

  @Test
  void folder_reportsAnUnreadableFileOnceAndKeepsEveryOtherRouteRunning() throws Exception {
    Files.writeString(
        fx.routes.resolve("good.camel.yaml"), directRoute("good", "direct:good", "ok"));
    Files.writeString(
        fx.routes.resolve("nightly.camel.yaml"),
        ServiceFixture.schedule("nightly", "0 0 3 * * ?", fx.config));
    unreadable("at-start.camel.yaml");

    BackyService service = fx.start();
    CamelContext ctx = service.context();
    assertThat(call(ctx, "direct:good")).isEqualTo("ok");
    assertThat(ctx.getRoute("nightly")).isNotNull();
    assertThat(ctx.getRoute("backup")).isNotNull();
    assertThat(service.folder().error("at-start.camel.yaml")).startsWith("cannot read it: ");
    assertThat(errors())
        .singleElement()
        .asString()
        .contains("routes file at-start.camel.yaml is broken: cannot read it: ")
        .doesNotContain("\n");

    // one that becomes unreadable while running: reported once, its routes keep running
    Path later = fx.routes.resolve("later.camel.yaml");
    Files.writeString(later, directRoute("later", "direct:later", "v1"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:later").equals("v1"));
    unreadable("later.camel.yaml");
    await().atMost(WITHIN).until(() -> errorsAbout("later.camel.yaml") == 1);
    // several scans later (a marker file changed twice, each change loaded): still one line each
    Path marker = fx.routes.resolve("marker.camel.yaml");
    for (String version : new String[] {"m1", "m2"}) {
      Files.writeString(marker, directRoute("marker", "direct:marker", version));
      await().atMost(WITHIN).until(() -> call(ctx, "direct:marker").equals(version));
    }
    assertThat(errorsAbout("later.camel.yaml")).isEqualTo(1);
    assertThat(errorsAbout("at-start.camel.yaml")).isEqualTo(1);
    assertThat(errors().get(1)).contains("keep running");
    assertThat(call(ctx, "direct:later")).isEqualTo("v1");

    // readable again: loaded
    Path fixed =
        Files.writeString(
            fx.routes.resolve("at-start.camel.yaml.tmp"), directRoute("s", "direct:s", "readable"));
    Files.move(
        fixed,
        fx.routes.resolve("at-start.camel.yaml"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await().atMost(WITHIN).until(() -> call(ctx, "direct:s").equals("readable"));
    assertThat(service.folder().error("at-start.camel.yaml")).isNull();
    assertThat(call(ctx, "direct:good")).isEqualTo("ok");
  }

  @Test
  void folder_refusesAFileReusingARouteIdOfAnotherFile() throws Exception {
    String backupYaml = Files.readString(fx.routes.resolve("backup.camel.yaml"));
    // a copy of the backup route that keeps its id, sorted before the original
    Files.writeString(fx.routes.resolve("a-copy.camel.yaml"), backupYaml);
    Files.writeString(
        fx.routes.resolve("good.camel.yaml"), directRoute("good", "direct:good", "ok"));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Route backup = ctx.getRoute("backup");
    Route good = ctx.getRoute("good");
    assertThat(service.folder().routesByFile())
        .containsEntry("backup.camel.yaml", java.util.Set.of("backup"))
        .containsEntry("a-copy.camel.yaml", java.util.Set.of());
    assertThat(service.folder().error("a-copy.camel.yaml"))
        .isEqualTo("route id backup is already used by routes file backup.camel.yaml");

    // while running: another copy, and a file reusing the id of a plain route of another file
    Files.writeString(
        fx.routes.resolve("z-copy.camel.yaml"),
        backupYaml.replace(
            "process: {ref: retention}",
            "process: {ref: retention}\n" + "        - setBody: {constant: replaced}"));
    Files.writeString(
        fx.routes.resolve("other.camel.yaml"),
        directRoute("mine", "direct:mine", "mine") + directRoute("good", "direct:good2", "no"));
    await()
        .atMost(WITHIN)
        .until(() -> errorsAbout("z-copy.camel.yaml") == 1 && errorsAbout("other.camel.yaml") == 1);
    assertThat(String.join("\n", errors()))
        .contains(
            "routes file z-copy.camel.yaml is broken: route id backup is already used by routes"
                + " file backup.camel.yaml")
        .contains(
            "routes file other.camel.yaml is broken: route id good is already used by routes"
                + " file good.camel.yaml");
    assertThat(ctx.getRoute("backup")).isSameAs(backup);
    assertThat(ctx.getRoute("good")).isSameAs(good);
    assertThat(ctx.getRoute("mine")).isNull();
    assertThat(call(ctx, "direct:good")).isEqualTo("ok");
    assertThat(service.folder().routesByFile())
        .containsEntry("backup.camel.yaml", java.util.Set.of("backup"))
        .containsEntry("good.camel.yaml", java.util.Set.of("good"))
        .containsEntry("z-copy.camel.yaml", java.util.Set.of());
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      Object result = p.requestBody("direct:backup", fx.config.toString());
      assertThat(result).isInstanceOf(BackupResult.class);
    }
  }

  @Test
  void folder_loadsARefusedFileOnceTheRouteIdItClashedWithIsFree() throws Exception {
    Path first = fx.routes.resolve("first.camel.yaml");
    Files.writeString(first, directRoute("shared", "direct:first", "first"));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    assertThat(call(ctx, "direct:first")).isEqualTo("first");

    Files.writeString(
        fx.routes.resolve("second.camel.yaml"), directRoute("shared", "direct:second", "second"));
    await().atMost(WITHIN).until(() -> errorsAbout("second.camel.yaml") == 1);
    assertThat(call(ctx, "direct:second")).startsWith("unavailable: ");

    // the first file gives the id up (renamed, then deleted): the second is loaded unchanged
    Files.writeString(first, directRoute("renamed", "direct:first", "first"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:second").equals("second"));
    assertThat(service.folder().error("second.camel.yaml")).isNull();
    assertThat(call(ctx, "direct:first")).isEqualTo("first");
    Files.delete(first);
    await().atMost(WITHIN).until(() -> call(ctx, "direct:first").startsWith("unavailable: "));
    assertThat(call(ctx, "direct:second")).isEqualTo("second");
    assertThat(errorsAbout("second.camel.yaml")).isEqualTo(1);
  }

  /** The backups a schedule (route id) has run, from the history. */
  private static long runsOf(BackyService service, String schedule) {
    return service.history().latest(1000).stream()
        .filter(r -> schedule.equals(r.trigger()))
        .count();
  }

  @Test
  void folder_refusesAScheduleReusingTheQuartzNameOfAnother_andTheOtherKeepsFiring()
      throws Exception {
    Path s1 = fx.routes.resolve("s1.camel.yaml");
    Files.writeString(s1, ServiceFixture.schedule("s1", "s1", "* * * * * ?", fx.config));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    await().atMost(WITHIN).until(() -> runsOf(service, "s1") >= 1);

    // other route ids, the same Quartz job name: one with the same endpoint URI as s1's, one
    // with another cron
    Files.writeString(
        fx.routes.resolve("s2.camel.yaml"),
        ServiceFixture.schedule("s2", "s1", "* * * * * ?", fx.config));
    Files.writeString(
        fx.routes.resolve("s3.camel.yaml"),
        ServiceFixture.schedule("s3", "s1", "0/2 * * * * ?", fx.config));
    await()
        .atMost(WITHIN)
        .until(() -> errorsAbout("s2.camel.yaml") == 1 && errorsAbout("s3.camel.yaml") == 1);
    assertThat(service.folder().error("s2.camel.yaml"))
        .isEqualTo(
            "quartz job backy.s1 is already used by route s1 of routes file s1.camel.yaml (a"
                + " schedule's name must be unique)");
    assertThat(service.folder().error("s3.camel.yaml")).startsWith("quartz job backy.s1 ");
    assertThat(ctx.getRoute("s2")).isNull();
    assertThat(ctx.getRoute("s3")).isNull();

    // s1 keeps firing
    long before = runsOf(service, "s1");
    await().atMost(WITHIN).until(() -> runsOf(service, "s1") >= before + 3);

    // s1's file goes: one of the refused files takes the name over (the other is refused again)
    Files.delete(s1);
    await().atMost(WITHIN).until(() -> runsOf(service, "s2") + runsOf(service, "s3") >= 2);
    assertThat(ctx.getRoute("s1")).isNull();
    assertThat(ctx.getRoutes().stream().filter(r -> r.getRouteId().matches("s[23]"))).hasSize(1);
  }

  @Test
  void folder_keepsARenamedScheduleRunning() throws Exception {
    Path r1 = fx.routes.resolve("r1.camel.yaml");
    Files.writeString(r1, ServiceFixture.schedule("r1", "* * * * * ?", fx.config));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= 1);

    Files.move(
        r1,
        fx.routes.resolve("r1-renamed.camel.yaml"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    // the old name's routes go and the new name's come in one scan, the same route id and job
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                java.util.Set.of("r1")
                        .equals(service.folder().routesByFile().get("r1-renamed.camel.yaml"))
                    && !service.folder().routesByFile().containsKey("r1.camel.yaml")
                    && ctx.getRouteController().getRouteStatus("r1").isStarted());
    long before = runsOf(service, "r1");
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= before + 2);
    assertThat(errors()).isEmpty();
  }

  /**
   * The end state of a race a renamed or reloaded schedule file can hit: the old route's job fires
   * while the route is being removed, camel-quartz finds no route for it and creates an endpoint of
   * the same URI of its own (started: it adds the job again, or finds the old one still there and
   * takes it as its own), and then the old endpoint's removal deletes the job. Made here by hand:
   * such an endpoint, believing its job scheduled, with no job in the scheduler. The file's new
   * route shares it (it resumes a job that is not there) and would never fire.
   */
  @Test
  void folder_schedulesAReloadedRouteEvenIfAJobFiredDuringTheUnloadLeftAnEndpointBehind()
      throws Exception {
    Path r1 = fx.routes.resolve("r1.camel.yaml");
    String file = ServiceFixture.schedule("r1", "* * * * * ?", fx.config);
    Files.writeString(r1, file);
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= 1);
    QuartzEndpoint old = (QuartzEndpoint) ctx.getRoute("r1").getEndpoint();
    String uri = old.getEndpointUri();
    TriggerKey key = old.getTriggerKey();

    Files.delete(r1);
    await().atMost(WITHIN).until(() -> ctx.getRoute("r1") == null);
    QuartzEndpoint leftBehind = ctx.getEndpoint(uri, QuartzEndpoint.class); // as CamelJob does
    assertThat(leftBehind.isStarted()).isTrue();
    Scheduler scheduler = leftBehind.getComponent().getScheduler();
    assertThat(scheduler.unscheduleJob(key)).isTrue(); // as the old endpoint's removal does

    Files.writeString(r1, file);
    await().atMost(WITHIN).until(() -> ctx.getRoute("r1") != null);
    long before = runsOf(service, "r1");
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= before + 2);
    assertThat(errors()).isEmpty();
  }

  /**
   * The other end of that race: the job fires while its route is being added, camel-quartz's own
   * endpoint then fails to start (the route is there by now), and its clean-up deletes the job of
   * the running route. Made here by deleting the job by hand.
   */
  @Test
  void folder_putsBackTheJobOfARunningSchedule_whenItIsDeleted() throws Exception {
    Files.writeString(
        fx.routes.resolve("r1.camel.yaml"),
        ServiceFixture.schedule("r1", "* * * * * ?", fx.config));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= 1);
    QuartzEndpoint q = (QuartzEndpoint) ctx.getRoute("r1").getEndpoint();
    Scheduler scheduler = q.getComponent().getScheduler();
    assertThat(scheduler.unscheduleJob(q.getTriggerKey())).isTrue();

    await().atMost(WITHIN).until(() -> scheduler.getTrigger(q.getTriggerKey()) != null);
    long before = runsOf(service, "r1");
    await().atMost(WITHIN).until(() -> runsOf(service, "r1") >= before + 2);
  }

  /**
   * A schedule refused for a step after its {@code from} (here a config parameter naming an
   * environment variable that is not set) takes no Quartz job with it: camel-quartz schedules the
   * job as soon as it resolves the {@code from} endpoint, and that job used to stay scheduled until
   * the service stopped, firing into an endpoint with no route, even after the file was deleted.
   */
  @Test
  void folder_leavesNoQuartzJobOfAScheduleItRefused() throws Exception {
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Files.writeString(
        fx.routes.resolve("unset.camel.yaml"),
        // a daily schedule that does not fire during the test: a job firing in the moment the file
        // is refused could make camel-quartz create the endpoint again (it does for a job that
        // finds
        // no route), a race this test is not about
        ServiceFixture.schedule("unset", "0 0 3 * * ?", Path.of("{{env:BACKY_TEST_UNSET_VAR}}")));
    await()
        .atMost(WITHIN)
        .until(() -> !errors().isEmpty() && errors().get(0).contains("unset.camel.yaml is broken"));
    assertThat(errors().get(0)).contains("env:BACKY_TEST_UNSET_VAR");
    Scheduler scheduler =
        ctx.getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class)
            .getScheduler();
    assertThat(scheduler.checkExists(org.quartz.JobKey.jobKey("unset", "backy"))).isFalse();
    assertThat(ctx.getEndpoints()).noneMatch(e -> e.getEndpointUri().contains("backy/unset"));
  }

  /**
   * A schedule that fires every second, edited to be refused: a job that fires while its route is
   * being removed finds no route, and camel-quartz makes an endpoint of its own for it, which
   * schedules the job again after the removal deleted it. That job then fired into nothing until
   * the service stopped, also after the file was deleted (4 times in 20 edits by hand). Made here
   * by resolving the endpoint as camel-quartz's job does once the file has been refused.
   */
  @Test
  void folder_removesAQuartzJobThatARefusedScheduleFiringAsItWentLeftBehind() throws Exception {
    Path file = fx.routes.resolve("s1.camel.yaml");
    Files.writeString(file, ServiceFixture.schedule("s1", "* * * * * ?", fx.config));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    await().atMost(WITHIN).until(() -> runsOf(service, "s1") >= 1);
    QuartzEndpoint q = (QuartzEndpoint) ctx.getRoute("s1").getEndpoint();
    String uri = q.getEndpointUri();
    TriggerKey key = q.getTriggerKey();
    Scheduler scheduler = q.getComponent().getScheduler();

    Files.writeString(file, ServiceFixture.schedule("s1", "* * * * * ?", dir.resolve("nope.yaml")));
    await().atMost(WITHIN).until(() -> service.folder().error("s1.camel.yaml") != null);
    assertThat(ctx.getRoute("s1")).isNull();
    ctx.getEndpoint(uri, QuartzEndpoint.class); // as camel-quartz's CamelJob does, finding no route
    assertThat(scheduler.getTrigger(key)).as("scheduled again by the endpoint").isNotNull();

    await().atMost(WITHIN).until(() -> scheduler.getTrigger(key) == null);
    assertThat(ctx.getEndpoints()).noneMatch(e -> e.getEndpointUri().contains("backy/s1"));
    assertThat(warnings())
        .anyMatch(m -> m.startsWith("quartz endpoint of job " + key + " had no route"));
  }

  /** A simple trigger's job ends once it has fired its count, and is not put back. */
  @Test
  void folder_leavesAFinishedOneShotJobFinished() throws Exception {
    Path fired = dir.resolve("fired.txt");
    Files.writeString(
        fx.routes.resolve("once.camel.yaml"),
        "- route:\n    id: once\n    from:\n      uri: quartz:backy/once?trigger.repeatCount=0\n"
            + "      steps:\n        - setBody: {constant: \"fired\\n\"}\n"
            + "        - to: {uri: \"file:"
            + dir
            + "?fileName=fired.txt&fileExist=Append\"}\n");
    BackyService service = fx.start();
    await().atMost(WITHIN).until(() -> Files.exists(fired));
    QuartzEndpoint q = (QuartzEndpoint) service.context().getRoute("once").getEndpoint();
    Scheduler scheduler = q.getComponent().getScheduler();
    await().atMost(WITHIN).until(() -> scheduler.getTrigger(q.getTriggerKey()) == null);
    // two scans later (the scan that loads m1 has checked the jobs once m2 is loaded)
    CamelContext ctx = service.context();
    for (String m : new String[] {"m1", "m2"}) {
      Files.writeString(fx.routes.resolve(m + ".camel.yaml"), directRoute(m, "direct:" + m, m));
      await().atMost(WITHIN).until(() -> call(ctx, "direct:" + m).equals(m));
    }
    assertThat(scheduler.getTrigger(q.getTriggerKey())).isNull();
    assertThat(Files.readAllLines(fired)).containsExactly("fired");
  }

  @Test
  void folder_reportsABrokenFileOnce_howeverOftenOtherFilesChange() throws Exception {
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Files.writeString(
        fx.routes.resolve("broken.camel.yaml"),
        "- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n"
            + "        - process: {ref: noSuchStep}\n");
    await().atMost(WITHIN).until(() -> errorsAbout("broken.camel.yaml") == 1);
    Path other = fx.routes.resolve("other.camel.yaml");
    for (String version : new String[] {"v1", "v2", "v3"}) {
      Files.writeString(other, directRoute("other", "direct:other", version));
      await().atMost(WITHIN).until(() -> call(ctx, "direct:other").equals(version));
    }
    Files.delete(other);
    await().atMost(WITHIN).until(() -> call(ctx, "direct:other").startsWith("unavailable: "));
    // one more scan after the last change, shown by a marker file loaded after it
    Files.writeString(fx.routes.resolve("marker.camel.yaml"), directRoute("m", "direct:m", "m"));
    await().atMost(WITHIN).until(() -> call(ctx, "direct:m").equals("m"));
    assertThat(errorsAbout("broken.camel.yaml")).isEqualTo(1);
  }

  @Test
  void folder_neverInterruptsABackupInProgress() throws Exception {
    // a backup that takes a few seconds
    Path backupRoute = fx.routes.resolve("backup.camel.yaml");
    String original = Files.readString(backupRoute);
    Files.writeString(
        backupRoute,
        original.replace(
            "        - process: {ref: backupConfig}",
            "        - delay: {constant: 4000, asyncDelayed: false}\n"
                + "        - process: {ref: backupConfig}"));
    BackyService service = fx.start();
    CamelContext ctx = service.context();
    Route oldBackup = ctx.getRoute("backup");

    CompletableFuture<BackupResult> running;
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      running = p.asyncRequestBody("direct:backup", fx.config.toString(), BackupResult.class);
      await().atMost(WITHIN).until(() -> ctx.getInflightRepository().size("backup") == 1);
      // other files come and go, and the backup route itself is replaced, while it runs
      Files.writeString(fx.routes.resolve("other.camel.yaml"), directRoute("o", "direct:o", "o"));
      Files.writeString(backupRoute, original);
      BackupResult result = running.get(60, TimeUnit.SECONDS);
      assertThat(result.metadata().source().database()).isEqualTo(fx.database);
    }
    // a reload removes the old route before it adds the new one: null for a moment in between
    await()
        .atMost(WITHIN)
        .until(() -> ctx.getRoute("backup") != null && ctx.getRoute("backup") != oldBackup);
    assertThat(call(ctx, "direct:o")).isEqualTo("o");
    assertThat(fx.backupCount()).isEqualTo(1);
  }
}
