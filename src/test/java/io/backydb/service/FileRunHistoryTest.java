package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.camel.service.FileRunHistory;
import io.backydb.camel.service.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The history file keeps serving its good lines when one is cut short or damaged. */
class FileRunHistoryTest {

  @TempDir Path dir;
  ListAppender<ILoggingEvent> log;

  @BeforeEach
  void setUp() {
    log = new ListAppender<>();
    log.start();
    ((Logger) LoggerFactory.getLogger(FileRunHistory.class)).addAppender(log);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(FileRunHistory.class)).detachAppender(log);
  }

  static RunRecord run(String id) {
    Instant t = Instant.parse("2026-11-26T02:30:00Z");
    return new RunRecord(
        id,
        "backup",
        RunRecord.SUCCEEDED,
        "n",
        "nightly",
        null,
        t,
        t,
        5L,
        "shop",
        1L,
        1L,
        "/b",
        null,
        null,
        null,
        null);
  }

  /** Run "new", a restore requested over a queue, with what it left out and named. */
  static RunRecord restore(
      List<String> leftOut, List<String> insertTriggers, List<String> engineSubstitutes) {
    Instant t = Instant.parse("2026-11-26T02:30:00Z");
    return new RunRecord(
        "new",
        "restore",
        RunRecord.SUCCEEDED,
        "n",
        "restore-requests",
        null,
        t,
        t,
        5L,
        "shop_copy",
        null,
        null,
        "/b",
        leftOut,
        insertTriggers,
        engineSubstitutes,
        null);
  }

  /** A failed run's error can quote a row value: the file is owner-only, as the log is. */
  @Test
  void aNewHistoryFileIsReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("history/backy-history.jsonl");
    new FileRunHistory(file).record(run("a"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void latest_skipsAPartialOrDamagedLine_withOneWarning() throws Exception {
    Path file = dir.resolve("backy-history.jsonl");
    FileRunHistory history = new FileRunHistory(file);
    history.record(run("one"));
    // a crash in the middle of a write leaves a line cut short, the next record follows it
    Files.writeString(file, "{\"id\":\"cut\",\"operation\":\"bac\n", StandardOpenOption.APPEND);
    history.record(run("two"));
    Files.writeString(file, "\u0000\u0000garbage\n", StandardOpenOption.APPEND);
    history.record(run("three"));

    assertThat(history.latest(10)).extracting(RunRecord::id).containsExactly("three", "two", "one");
    assertThat(history.latest(2)).extracting(RunRecord::id).containsExactly("three", "two");
    List<String> warnings = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(warnings).hasSize(2); // one per reading, not one per line
    assertThat(warnings.get(0)).contains("skipped 2 unreadable line(s)").contains("line 2");
  }

  /**
   * A restore's left_out (what a restore limited to tables left out) and insert_triggers (the
   * INSERT triggers that fired for every row it loaded) are kept; a line an older BackyDB wrote,
   * without them, is still read.
   */
  @Test
  void latest_keepsWhatARestoreLeftOutAndTheTriggersThatFired_andReadsLinesWithoutThem()
      throws Exception {
    Path file = dir.resolve("backy-history.jsonl");
    Files.writeString(
        file,
        "{\"id\":\"old\",\"operation\":\"restore\",\"status\":\"succeeded\","
            + "\"started_at\":\"2026-11-25T02:30:00Z\",\"location\":\"/b\"}\n");
    FileRunHistory history = new FileRunHistory(file);
    history.record(
        restore(
            List.of("functions", "views"),
            List.of("`a,b` (`x`, `y`)", "`orders` (`orders_audit`)"),
            null));
    assertThat(Files.readString(file))
        .contains(
            "\"left_out\":[\"functions\",\"views\"],"
                + "\"insert_triggers\":[\"`a,b` (`x`, `y`)\",\"`orders` (`orders_audit`)\"]");
    assertThat(history.latest(10))
        .extracting(RunRecord::id, RunRecord::leftOut, RunRecord::insertTriggers)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "new",
                List.of("functions", "views"),
                List.of("`a,b` (`x`, `y`)", "`orders` (`orders_audit`)")),
            org.assertj.core.groups.Tuple.tuple("old", null, null));
    assertThat(log.list).isEmpty();
  }

  /**
   * A restore's engine_substitutes (the tables it created in the default engine, as the target
   * lacks theirs) are kept; a line the previous BackyDB wrote, with insert_triggers and without
   * them, is still read.
   */
  @Test
  void latest_keepsTheTablesCreatedInTheDefaultEngine_andReadsLinesWithoutThem() throws Exception {
    Path file = dir.resolve("backy-history.jsonl");
    Files.writeString(
        file,
        "{\"id\":\"old\",\"operation\":\"restore\",\"status\":\"succeeded\","
            + "\"started_at\":\"2026-11-25T02:30:00Z\",\"location\":\"/b\","
            + "\"insert_triggers\":[\"`t` (`t_audit`)\"]}\n");
    FileRunHistory history = new FileRunHistory(file);
    List<String> substituted = List.of("`a,b` (ARCHIVE as InnoDB)", "`logs` (CONNECT as Aria)");
    history.record(restore(null, null, substituted));
    assertThat(Files.readString(file))
        .contains(
            "\"location\":\"/b\",\"engine_substitutes\":"
                + "[\"`a,b` (ARCHIVE as InnoDB)\",\"`logs` (CONNECT as Aria)\"]}\n");
    assertThat(history.latest(10))
        .extracting(RunRecord::id, RunRecord::insertTriggers, RunRecord::engineSubstitutes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("new", null, substituted),
            org.assertj.core.groups.Tuple.tuple("old", List.of("`t` (`t_audit`)"), null));
    assertThat(log.list).isEmpty();
  }
}
