package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.assertSameDump;
import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.dump;
import static io.backydb.engine.mysql.EngineFixture.server;
import static io.backydb.engine.mysql.EngineFixture.text;
import static io.backydb.engine.mysql.EngineFixture.withoutSnapshotTime;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * A dump read by several connections, big tables in primary-key ranges, is the same text as the
 * dump one connection writes: every kind of table the dumper treats differently is in the database,
 * and the chunk size is made tiny so that tables of a few thousand rows are split.
 */
class ParallelDumpTest {

  /** Small enough that every table of a few hundred KiB is cut into several ranges. */
  static final long CHUNK = 64 << 10;

  /** The tables that qualify for ranges: InnoDB, primary key led by an integer, big enough. */
  static final Set<String> SPLIT = Set.of("a_big", "b_ubig", "c_composite", "i_generated");

  static String db;

  @BeforeAll
  static void createDatabase() throws Exception {
    db = TestServer.uniqueName("pdump");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE a_big (id INT PRIMARY KEY, name VARCHAR(40), pad VARCHAR(100),"
            + " amount DECIMAL(12,2), f FLOAT, d DOUBLE) ENGINE=InnoDB",
        // ids with gaps, so that some ranges are sparse
        "INSERT INTO a_big SELECT seq * 3, CONCAT('it''s \\\\ row ', seq), REPEAT(MD5(seq), 3),"
            + " seq / 7, seq / 3, seq / 9 FROM seq_1_to_5000",
        "CREATE TABLE b_ubig (id BIGINT UNSIGNED PRIMARY KEY, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO b_ubig SELECT seq * 6148914691236517, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_2999",
        "INSERT INTO b_ubig VALUES (0, 'zero'), (1, 'one'), (9223372036854775807, 'max signed'),"
            + " (9223372036854775808, 'max signed + 1'), (18446744073709551614, 'max - 1'),"
            + " (18446744073709551615, 'max')",
        "CREATE TABLE c_composite (k INT, s VARCHAR(10), v TEXT, PRIMARY KEY (k, s))"
            + " ENGINE=InnoDB",
        "INSERT INTO c_composite SELECT CAST(seq AS SIGNED) - 1500, 'b', REPEAT(CHAR(65 + seq % 26), 80)"
            + " FROM seq_0_to_3000",
        "INSERT INTO c_composite SELECT CAST(seq AS SIGNED) - 1500, 'a', REPEAT(CHAR(97 + seq % 26), 80)"
            + " FROM seq_0_to_3000",
        "CREATE TABLE d_varchar_pk (code VARCHAR(40) PRIMARY KEY, pad VARCHAR(100))"
            + " ENGINE=InnoDB",
        "INSERT INTO d_varchar_pk SELECT MD5(seq), REPEAT('x', 90) FROM seq_1_to_3000",
        "CREATE TABLE e_nopk (n INT, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO e_nopk SELECT (seq * 7919) % 3001, REPEAT(MD5(seq), 3) FROM seq_1_to_3000",
        "CREATE TABLE f_myisam (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=MyISAM",
        "INSERT INTO f_myisam SELECT (seq * 7919) % 3001, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_3000",
        "CREATE TABLE g_versioned (id INT PRIMARY KEY, v INT, pad VARCHAR(100))"
            + " ENGINE=InnoDB WITH SYSTEM VERSIONING",
        "INSERT INTO g_versioned SELECT seq, 0, REPEAT(MD5(seq), 3) FROM seq_1_to_3000",
        "UPDATE g_versioned SET v = v + 1 WHERE id % 3 = 0",
        "DELETE FROM g_versioned WHERE id % 10 = 0",
        "CREATE SEQUENCE h_seq START WITH 100 INCREMENT BY 5",
        "DO NEXTVAL(h_seq)",
        "DO NEXTVAL(h_seq)",
        "CREATE TABLE i_generated (id INT PRIMARY KEY, a INT, b INT AS (a * 2) VIRTUAL,"
            + " c VARCHAR(120) AS (CONCAT(pad, '!')) PERSISTENT, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO i_generated (id, a, pad) SELECT seq, seq % 100, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_4000",
        "CREATE TABLE j_empty (id INT PRIMARY KEY) ENGINE=InnoDB",
        "CREATE VIEW k_view AS SELECT id, name FROM a_big WHERE id < 100");
    EngineFixture.analyze(
        db,
        "a_big",
        "b_ubig",
        "c_composite",
        "d_varchar_pk",
        "e_nopk",
        "f_myisam",
        "g_versioned",
        "i_generated");
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    server.dropDatabase(db);
  }

  @Test
  void theDataSectionStartsWithTheTablesInMostRanges() {
    assertThat(
            MySqlDumper.biggestFirst(
                List.of("a", "b", "c", "d", "e"),
                Map.of(
                    "b", List.of("1", "2"), "d", List.of("1", "2", "3"), "e", List.of("1", "2"))))
        .as("by ranges, most first; ties and unsplit tables in name order")
        .containsExactly("d", "b", "e", "a", "c");
  }

  @Test
  void theTinyChunkSplitsExactlyTheTablesThatQualify() throws Exception {
    Set<String> all =
        Set.of(
            "a_big",
            "b_ubig",
            "c_composite",
            "d_varchar_pk",
            "e_nopk",
            "f_myisam",
            "g_versioned",
            "h_seq",
            "i_generated",
            "j_empty");
    Map<String, List<String>> plan = EngineFixture.plan(db, all, CHUNK);
    assertThat(plan).containsOnlyKeys(SPLIT);
    plan.forEach((table, ranges) -> assertThat(ranges).as(table).hasSizeGreaterThan(2));
    assertThat(EngineFixture.plan(db, all, MySqlDumper.CHUNK_BYTES))
        .as("at the default chunk size nothing this small is split")
        .isEmpty();
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 3})
  void severalConnectionsAndRangesWriteTheSameDumpAsOne(int threads) throws Exception {
    String serial = text(dump(config(db, 1), "", Features.ALL, CHUNK));

    Map<String, AtomicInteger> flushes = new ConcurrentHashMap<>();
    Set<String> readers = ConcurrentHashMap.newKeySet();
    ProgressListener progress =
        new ProgressListener() {
          @Override
          public void rows(String table, long rows, long bytes) {
            flushes.computeIfAbsent(table, t -> new AtomicInteger()).incrementAndGet();
            readers.add(Thread.currentThread().getName());
          }
        };
    String parallel = text(dump(config(db, threads), "", Features.ALL, CHUNK, progress));

    // every table here is far below one statement (1 MiB): read whole, it is one INSERT; read in
    // ranges, one per non-empty range, each reported once by the task that read it
    for (String t : SPLIT) {
      assertThat(insertStatements(parallel, t))
          .as("INSERT statements of %s, one per non-empty range", t)
          .isGreaterThan(2)
          .isEqualTo(flushes.get(t).get());
    }
    assertThat(insertStatements(parallel, "d_varchar_pk")).isOne();
    assertThat(readers).allMatch(name -> name.startsWith("backy-dump-"));
    // more than one connection read rows: the shared snapshot was taken (sequences, versioned
    // tables and all), not the one-connection fallback
    assertThat(readers).as("worker threads that read rows").hasSizeGreaterThan(1);
    assertSameDump(
        withoutSnapshotTime(parallel),
        withoutSnapshotTime(serial),
        threads + " connections with ranges against one connection");
  }

  @Test
  void theRangesHoldEveryRowOnceInTheOrderOfAWholeTableRead() throws Exception {
    String whole = text(dump(config(db, 3), "", Features.ALL, MySqlDumper.CHUNK_BYTES));
    String ranged = text(dump(config(db, 3), "", Features.ALL, CHUNK));
    for (String t : SPLIT) {
      assertThat(insertStatements(whole, t)).as("%s read whole", t).isOne();
    }
    assertThat(insertStatements(ranged, "a_big")).isGreaterThan(2);
    // split tables come first in the data section (MySqlDumper.biggestFirst): compare by table
    assertSameDump(
        tablesInNameOrder(rowsOnly(withoutSnapshotTime(ranged))),
        tablesInNameOrder(rowsOnly(withoutSnapshotTime(whole))),
        "rows read in ranges against rows read whole");
  }

  @Test
  void theReadsSetNothingOnTheServerPerQuery() throws Exception {
    long setsBefore = EngineFixture.globalStatus("Com_set_option");
    String ranged = text(dump(config(db, 3), "", Features.ALL, CHUNK));
    long sets = EngineFixture.globalStatus("Com_set_option") - setsBefore;
    int reads = 0;
    for (String t : SPLIT) {
      reads += insertStatements(ranged, t);
    }
    assertThat(reads).as("range reads").isGreaterThan(20);
    // each connection's session is set up once (SharedSnapshot.prepare: about 16 SETs for three
    // connections); a driver that set net_write_timeout around every streamed read (two SETs per
    // read) would also undo the session's 3600 s
    assertThat(sets).as("SET statements for a dump of %d range reads", reads).isLessThan(reads / 2);
  }

  /** The dump with its data section's tables in name order (they follow table directives). */
  private static String tablesInNameOrder(String dump) {
    String marker = "-- backy:table ";
    java.util.TreeMap<String, String> tables = new java.util.TreeMap<>();
    int first = dump.indexOf(marker, dump.indexOf("-- backy:section data"));
    int end = dump.indexOf("-- backy:section", first);
    int complete = dump.indexOf("-- backy:complete", first);
    end = end < 0 || (complete >= 0 && complete < end) ? complete : end;
    String section = dump.substring(first, end < 0 ? dump.length() : end);
    for (int at = 0; at < section.length(); ) {
      int next = section.indexOf(marker, at + 1);
      String part = section.substring(at, next < 0 ? section.length() : next);
      tables.put(part.lines().findFirst().orElseThrow(), part);
      at = next < 0 ? section.length() : next;
    }
    return dump.substring(0, first)
        + String.join("", tables.values())
        + (end < 0 ? "" : dump.substring(end));
  }

  /**
   * A user who may read everything but not LOCK TABLES: asked for three connections, the dump says
   * in the log that it reads on one, reads every table on that one worker, and writes the same dump
   * as one connection does.
   */
  @Test
  void withoutTheLockTablesPrivilegeTheDumpFallsBackToOneConnection() throws Exception {
    String user = TestServer.uniqueName("pdump_user");
    server.execute(
        null,
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'secret'",
        "GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `" + db + "`.* TO '" + user + "'@'%'",
        // reading the routines' definitions (the backup checks for it even where there are none)
        "GRANT SELECT ON mysql.proc TO '" + user + "'@'%'");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(SharedSnapshot.class);
    logger.addAppender(log);
    try {
      Set<String> readers = ConcurrentHashMap.newKeySet();
      ProgressListener progress =
          new ProgressListener() {
            @Override
            public void rows(String table, long rows, long bytes) {
              readers.add(Thread.currentThread().getName());
            }
          };
      String fallback = text(dump(config(db, user, 3), "secret", Features.ALL, CHUNK, progress));

      assertThat(log.list)
          .filteredOn(e -> e.getLevel() == Level.WARN)
          .extracting(ILoggingEvent::getFormattedMessage)
          .singleElement()
          .asString()
          .startsWith("dumping on one connection")
          .contains("3 connections");
      assertThat(readers).as("worker threads that read rows").containsExactly("backy-dump-0");
      assertSameDump(
          withoutSnapshotTime(fallback),
          withoutSnapshotTime(text(dump(config(db, 1), "", Features.ALL, CHUNK))),
          "the fallback against one connection");
      assertThat(EngineFixture.sessionsLeft(user)).as("sessions left open").isEmpty();
    } finally {
      logger.detachAppender(log);
      server.execute(null, "DROP USER IF EXISTS '" + user + "'@'%'");
    }
  }

  /**
   * The dump with its INSERT statements' heads dropped and each row's separator (",", ";") cut: the
   * same for any cut of the rows into statements. A row is one line (the dumper escapes newlines).
   */
  static String rowsOnly(String dump) {
    StringBuilder out = new StringBuilder();
    for (String line : dump.split("\n", -1)) {
      if (line.startsWith("INSERT INTO `") && line.endsWith(") VALUES")) {
        continue;
      }
      if (line.startsWith("(") && (line.endsWith("),") || line.endsWith(");"))) {
        line = line.substring(0, line.length() - 1);
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** The INSERT statements of {@code table} in a dump. */
  static int insertStatements(String dump, String table) {
    String head = "INSERT INTO `" + table + "` (";
    int n = 0;
    for (int i = dump.indexOf(head); i >= 0; i = dump.indexOf(head, i + 1)) {
      n++;
    }
    return n;
  }
}
