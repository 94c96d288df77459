package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.dump;
import static io.backydb.engine.mysql.EngineFixture.rows;
import static io.backydb.engine.mysql.EngineFixture.server;
import static io.backydb.engine.mysql.EngineFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restore on four connections: tables that keep rows in insertion order (InnoDB without a primary
 * key, MyISAM) come back in the same physical order, tables with a primary key come back the same,
 * and a statement that fails on one of the connections stops the restore with a message that names
 * where it is in the dump, leaving no thread or session behind.
 */
class ParallelRestoreTest {

  static final int LANES = 4;

  static final List<String> SMALL = List.of("a_pk", "b_nopk", "c_myisam");

  static String source;
  String target;

  @BeforeAll
  static void createSource() throws Exception {
    source = TestServer.uniqueName("prest_src");
    server.createDatabase(source);
    // rows inserted in an order that is not the order of any key
    server.execute(
        source,
        "CREATE TABLE a_pk (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO a_pk SELECT (seq * 7919) % 3001, REPEAT(MD5(seq), 2) FROM seq_1_to_3000",
        "CREATE TABLE b_nopk (n INT, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO b_nopk SELECT (seq * 7919) % 3001, REPEAT(MD5(seq), 2) FROM seq_1_to_3000",
        "CREATE TABLE c_myisam (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=MyISAM",
        "INSERT INTO c_myisam SELECT (seq * 7919) % 3001, REPEAT(MD5(seq), 2)"
            + " FROM seq_1_to_3000",
        // about 4 MiB each: the dumper itself writes them as several statements of 1 MiB
        "CREATE TABLE d_big_nopk (n INT, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO d_big_nopk SELECT (seq * 7919) % 40009, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_40000",
        "CREATE TABLE e_big_myisam (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=MyISAM",
        "INSERT INTO e_big_myisam SELECT (seq * 7919) % 40009, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_40000",
        "CREATE TABLE f_big_pk (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=InnoDB",
        "INSERT INTO f_big_pk SELECT (seq * 7919) % 40009, REPEAT(MD5(seq), 3)"
            + " FROM seq_1_to_40000");
  }

  @AfterAll
  static void dropSource() throws Exception {
    server.dropDatabase(source);
  }

  @BeforeEach
  void name() {
    target = TestServer.uniqueName("prest_dst");
  }

  @AfterEach
  void dropTarget() throws Exception {
    server.dropDatabase(target);
  }

  /** Names of the threads that loaded each table's rows. */
  static final class Loaders implements ProgressListener {
    final Map<String, Set<String>> threads = new ConcurrentHashMap<>();

    @Override
    public void rows(String table, long rows, long bytes) {
      threads
          .computeIfAbsent(table, t -> ConcurrentHashMap.newKeySet())
          .add(Thread.currentThread().getName());
    }
  }

  @Test
  void theDumpersOwnStatementsComeBackInTheirPhysicalOrder() throws Exception {
    String dump = text(dump(config(source, 1), "", Features.DEFAULT, MySqlDumper.CHUNK_BYTES));
    for (String t : List.of("d_big_nopk", "e_big_myisam", "f_big_pk")) {
      assertThat(ParallelDumpTest.insertStatements(dump, t))
          .as("statements of %s", t)
          .isBetween(3, 8);
    }
    Loaders loaders = applyWatched(dump);
    assertSameTables(
        loaders, List.of("a_pk", "b_nopk", "c_myisam", "d_big_nopk", "e_big_myisam", "f_big_pk"));
  }

  @Test
  void progressCountsEachTablesRowsOnItsOwnWithTheDumpsEstimateAndFinishesIt() throws Exception {
    // fresh InnoDB statistics, so that every table's estimate is above zero
    EngineFixture.analyze(
        source, "a_pk", "b_nopk", "c_myisam", "d_big_nopk", "e_big_myisam", "f_big_pk");
    Map<String, byte[]> dump =
        dump(config(source, 2), "", Features.DEFAULT, MySqlDumper.CHUNK_BYTES);
    Map<String, java.util.concurrent.atomic.AtomicLong> rows = new ConcurrentHashMap<>();
    Map<String, Long> estimates = new ConcurrentHashMap<>();
    java.util.Queue<String> finished = new java.util.concurrent.ConcurrentLinkedQueue<>();
    ProgressListener counting =
        new ProgressListener() {
          @Override
          public void tableStarted(String table, long estimatedRows) {
            estimates.merge(table, estimatedRows, Math::max);
          }

          @Override
          public void rows(String table, long n, long bytes) {
            rows.computeIfAbsent(table, t -> new java.util.concurrent.atomic.AtomicLong())
                .addAndGet(n);
          }

          @Override
          public void tableFinished(String table) {
            var counted = rows.get(table);
            finished.add(table + " " + (counted == null ? 0 : counted.get()));
          }
        };
    EngineFixture.apply(config(target, LANES), "", dump, counting);
    // each table once, after its last rows were loaded (lanes report them as they load them)
    assertThat(finished)
        .containsExactlyInAnyOrder(
            "a_pk 3000",
            "b_nopk 3000",
            "c_myisam 3000",
            "d_big_nopk 40000",
            "e_big_myisam 40000",
            "f_big_pk 40000");
    for (String t : List.of("a_pk", "b_nopk", "c_myisam")) {
      assertThat(rows.get(t)).as("rows reported for %s", t).hasValue(3000);
    }
    for (String t : List.of("d_big_nopk", "e_big_myisam", "f_big_pk")) {
      assertThat(rows.get(t)).as("rows reported for %s", t).hasValue(40000);
    }
    // the restore knows each table's size from the dump (its ROWS directive) as it starts it
    assertThat(estimates)
        .containsOnlyKeys(rows.keySet())
        .allSatisfy((t, e) -> assertThat(e).as(t).isPositive());
  }

  @Test
  void manySmallStatementsComeBackInTheirPhysicalOrder() throws Exception {
    String dump = EngineFixture.resplit(smallTablesDump(), 10);
    assertThat(ParallelDumpTest.insertStatements(dump, "b_nopk")).isEqualTo(300);
    Loaders loaders = applyWatched(dump);
    assertSameTables(loaders, SMALL);
    assertThat(loaders.threads.get("a_pk"))
        .as("lanes that loaded the primary-key table's 300 statements")
        .hasSizeGreaterThan(1);
  }

  @Test
  void aRestoreOnAnInterruptedThreadRunsNoStatementAndSaysSo() throws Exception {
    // a stop request (SIGTERM) interrupts the restoring thread; JDBC calls would not notice
    String dump = smallTablesDump();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> EngineFixture.apply(config(target, LANES), dump))
          .isInstanceOf(BackyException.class)
          .hasMessage("interrupted at dump.sql; applied so far: nothing");
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    }
    assertThat(server.databaseExists(target)).as("not even the database was created").isFalse();
  }

  /** The three small tables, 3000 rows each. */
  static String smallTablesDump() throws Exception {
    return text(
        dump(
            config(source, 1),
            "",
            Features.DEFAULT,
            MySqlDumper.CHUNK_BYTES,
            SMALL,
            ProgressListener.NONE));
  }

  /**
   * Same content, same plain-SELECT order for the order-keeping tables, each of which one lane
   * loaded; every lane a thread of the restore.
   */
  /** Restores {@code dump} into the target on {@link #LANES} lanes, noting who loaded what. */
  private Loaders applyWatched(String dump) throws Exception {
    Loaders loaders = new Loaders();
    EngineFixture.apply(
        config(target, LANES),
        "",
        Map.of("dump.sql", dump.getBytes(StandardCharsets.UTF_8)),
        loaders);
    return loaders;
  }

  private void assertSameTables(Loaders loaders, List<String> tables) throws Exception {
    Map<String, String> expected = new java.util.TreeMap<>(server.checksums(source));
    expected.keySet().retainAll(tables);
    assertThat(server.checksums(target)).isEqualTo(expected);
    for (String t : tables) {
      if (t.equals("a_pk") || t.equals("f_big_pk")) {
        continue; // InnoDB with a primary key: key order, whatever the order of the inserts
      }
      List<String> inSource = rows(source, "SELECT * FROM " + t);
      assertThat(inSource)
          .as("the source's %s is not in key order", t)
          .isNotEqualTo(rows(source, "SELECT * FROM " + t + " ORDER BY 1, 2"));
      List<String> restored = rows(target, "SELECT * FROM " + t);
      if (!restored.equals(inSource)) {
        int i = 0;
        while (restored.get(i).equals(inSource.get(i))) {
          i++;
        }
        throw new AssertionError(
            t
                + ": rows come back in another order, first at row "
                + (i + 1)
                + ": expected "
                + inSource.get(i)
                + ", got "
                + restored.get(i));
      }
      assertThat(loaders.threads.get(t)).as("lanes that loaded %s", t).hasSize(1);
    }
    assertThat(loaders.threads.values().stream().flatMap(Set::stream))
        .allMatch(name -> name.startsWith("backy-restore-"));
  }

  /**
   * A bad INSERT in the middle of a table's statements, of a table loaded on any lane or of one
   * loaded in order on one lane: the restore fails naming the file, the statement's line and the
   * table, and every lane and connection it opened is gone.
   */
  @ParameterizedTest(name = "bad statement in {0}")
  @ValueSource(strings = {"a_pk", "b_nopk"})
  void aFailingStatementOnALaneNamesItsPlaceAndLeavesNothingBehind(String table) throws Exception {
    String dump = EngineFixture.resplit(smallTablesDump(), 10);
    // the 101st of the table's 300 statements names a column the table does not have
    String head = "INSERT INTO `" + table + "` (";
    int at = -1;
    for (int k = 0; k <= 100; k++) {
      at = dump.indexOf(head, at + 1);
    }
    String bad = "INSERT INTO `" + table + "` (`no_such_column`) VALUES\n(1);\n";
    String crafted = dump.substring(0, at) + bad + dump.substring(at);
    long line = crafted.substring(0, at).chars().filter(c -> c == '\n').count() + 1;

    String user = TestServer.uniqueName("prest_user");
    server.execute(
        null,
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'secret'",
        "GRANT ALL ON `" + target + "`.* TO '" + user + "'@'%'");
    try {
      Set<Thread> before = EngineFixture.threadsNamed("backy-restore-");
      assertThatThrownBy(
              () ->
                  EngineFixture.apply(
                      config(target, user, LANES),
                      "secret",
                      Map.of("dump.sql", crafted.getBytes(StandardCharsets.UTF_8)),
                      ProgressListener.NONE))
          .isInstanceOf(BackyException.class)
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.DATABASE))
          .hasMessageStartingWith(
              "restore failed at dump.sql line " + line + " (data of table `" + table + "`): ")
          .hasMessageContaining("no_such_column")
          .hasMessageContaining("; applied so far: tables, data (data in part)");
      assertThat(EngineFixture.threadsLeft("backy-restore-", before))
          .as("lane threads left running")
          .isEmpty();
      assertThat(EngineFixture.sessionsLeft(user)).as("sessions left open").isEmpty();
    } finally {
      server.execute(null, "DROP USER IF EXISTS '" + user + "'@'%'");
    }
  }
}
