package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.DatabaseConfig;
import io.backydb.config.Features;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DatabaseEngine.DumpRequest;
import io.backydb.engine.DumpInput;
import io.backydb.engine.DumpOutput;
import io.backydb.progress.ProgressListener;
import io.backydb.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the engine-level parallelism tests share: dumping with {@link MySqlDumper} (so the chunk
 * size can be made tiny) into memory, applying a dump held in memory, and looking at the server's
 * sessions and the JVM's threads.
 */
final class EngineFixture {

  static final TestServer server = TestServer.get();

  private EngineFixture() {}

  /** The database section of a config for {@code db} as root, using {@code threads} connections. */
  static DatabaseConfig config(String db, int threads) {
    return config(db, "root", threads);
  }

  static DatabaseConfig config(String db, String user, int threads) {
    return new DatabaseConfig(server.host(), server.port(), user, db, false, null, null)
        .withThreads(threads);
  }

  /** The files of a dump of {@code db}, by name, in the order they were written. */
  static Map<String, byte[]> dump(
      DatabaseConfig config, String password, Features features, long chunkBytes) throws Exception {
    return dump(config, password, features, chunkBytes, ProgressListener.NONE);
  }

  static Map<String, byte[]> dump(
      DatabaseConfig config,
      String password,
      Features features,
      long chunkBytes,
      ProgressListener progress)
      throws Exception {
    return dump(config, password, features, chunkBytes, List.of(), progress);
  }

  /** A dump of the given tables only (all when empty). */
  static Map<String, byte[]> dump(
      DatabaseConfig config,
      String password,
      Features features,
      long chunkBytes,
      List<String> tables,
      ProgressListener progress)
      throws Exception {
    Map<String, ByteArrayOutputStream> files = new LinkedHashMap<>();
    DumpOutput output =
        name -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          synchronized (files) {
            assertThat(files).as("file %s written once", name).doesNotContainKey(name);
            files.put(name, out);
          }
          return out;
        };
    new MySqlDumper(
            new MySqlConnections(config, password),
            new DumpRequest(features, tables, false, progress),
            chunkBytes)
        .dump(output);
    Map<String, byte[]> out = new LinkedHashMap<>();
    files.forEach((name, bytes) -> out.put(name, bytes.toByteArray()));
    return out;
  }

  /** The single-file dump's text ({@code dump.sql}). */
  static String text(Map<String, byte[]> files) {
    assertThat(files).containsOnlyKeys("dump.sql");
    return new String(files.get("dump.sql"), StandardCharsets.UTF_8);
  }

  /** The dump without its first line, the header that names the snapshot's time. */
  static String withoutSnapshotTime(String dump) {
    assertThat(dump).startsWith("-- BackyDB dump of database ");
    String first = dump.substring(0, dump.indexOf('\n') + 1);
    assertThat(first).contains(", snapshot ");
    return dump.substring(first.length());
  }

  /**
   * Asserts two dumps are the same text, pointing at the first line that differs rather than
   * printing megabytes of SQL.
   */
  static void assertSameDump(String actual, String expected, String description) {
    if (actual.equals(expected)) {
      return;
    }
    String[] a = actual.split("\n", -1);
    String[] e = expected.split("\n", -1);
    int i = 0;
    while (i < a.length && i < e.length && a[i].equals(e[i])) {
      i++;
    }
    throw new AssertionError(
        description
            + ": the dumps differ first at line "
            + (i + 1)
            + " of "
            + a.length
            + " (expected "
            + e.length
            + " lines)\n  expected: "
            + (i < e.length ? abbreviate(e[i]) : "<end>")
            + "\n  actual:   "
            + (i < a.length ? abbreviate(a[i]) : "<end>"));
  }

  private static String abbreviate(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /** Applies an in-memory dump to {@code config}'s database. */
  static ApplySummary apply(DatabaseConfig config, Map<String, byte[]> files) throws Exception {
    return apply(config, "", files, ProgressListener.NONE);
  }

  /**
   * Applies an in-memory dump to {@code config}'s database, telling {@code progress} what it loads
   * (from the threads that load it).
   */
  static ApplySummary apply(
      DatabaseConfig config, String password, Map<String, byte[]> files, ProgressListener progress)
      throws Exception {
    Iterator<Map.Entry<String, byte[]>> it = new ArrayList<>(files.entrySet()).iterator();
    DumpInput input =
        () -> {
          if (!it.hasNext()) {
            return null;
          }
          Map.Entry<String, byte[]> f = it.next();
          return new DumpInput.DumpFile(f.getKey(), new ByteArrayInputStream(f.getValue()));
        };
    return new MySqlEngine(config, password)
        .apply(new ApplyRequest(null, List.of(), false, progress), input);
  }

  /**
   * The dump with its INSERT statements cut again into statements of {@code rowsPerStatement} rows,
   * so that a small table makes many statements. A row is one line (the dumper escapes newlines),
   * ending in "," or, the last of its statement, ";".
   */
  static String resplit(String dump, int rowsPerStatement) {
    StringBuilder out = new StringBuilder();
    String head = null;
    List<String> rows = new ArrayList<>();
    String[] lines = dump.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (head == null && line.startsWith("INSERT INTO `") && line.endsWith(") VALUES")) {
        head = line;
        continue;
      }
      if (head != null) {
        assertThat(line).startsWith("(").matches(".*[,;]$");
        rows.add(line.substring(0, line.length() - 1));
        if (line.endsWith(";")) {
          for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            out.append(head)
                .append('\n')
                .append(
                    String.join(
                        ",\n", rows.subList(from, Math.min(rows.size(), from + rowsPerStatement))))
                .append(";\n");
          }
          head = null;
          rows.clear();
        }
        continue;
      }
      out.append(line);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** Applies a dump written as text to {@code config}'s database. */
  static ApplySummary apply(DatabaseConfig config, String dumpSql) throws Exception {
    return apply(config, Map.of("dump.sql", dumpSql.getBytes(StandardCharsets.UTF_8)));
  }

  /** Every row of a table as text, in the order a plain {@code SELECT *} returns them. */
  static List<String> rows(String db, String sql) throws SQLException {
    return server.rows(db, sql);
  }

  /** The sessions of {@code user} on the server (other than the asking one), by id. */
  static Set<Long> sessionsOf(String user) throws SQLException {
    Set<Long> ids = new TreeSet<>();
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"
                    + " AND USER = '"
                    + user
                    + "'")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /**
   * The sessions of {@code user} that are still there after they had time to end: a closed
   * connection leaves the process list a moment after the client let go of it, a leaked one never.
   */
  static Set<Long> sessionsLeft(String user) throws Exception {
    return settled(() -> sessionsOf(user));
  }

  /**
   * Live threads whose name starts with {@code prefix}, other than those in {@code before}, once
   * those that were ending have had time to end.
   */
  static Set<Thread> threadsLeft(String prefix, Set<Thread> before) throws Exception {
    return settled(
        () -> {
          Set<Thread> now = threadsNamed(prefix);
          now.removeAll(before);
          return now;
        });
  }

  /** What {@code probe} finds once it finds nothing, or after 10 s what it still finds. */
  private static <T extends java.util.Collection<?>> T settled(
      java.util.concurrent.Callable<T> probe) throws Exception {
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .pollInterval(java.time.Duration.ofMillis(50))
          .until(() -> probe.call().isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // the caller's assertion names what is left
    }
    return probe.call();
  }

  /** Live threads whose name starts with {@code prefix}. */
  static Set<Thread> threadsNamed(String prefix) {
    Set<Thread> threads = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        threads.add(t);
      }
    }
    return threads;
  }

  /** Runs {@code ANALYZE TABLE}, so that information_schema's DATA_LENGTH is current. */
  /**
   * A server-wide status counter ({@code SHOW GLOBAL STATUS}); tests run one at a time, so its
   * change across a step counts that step's statements.
   */
  static long globalStatus(String name) throws SQLException {
    try (Connection c = server.connect();
        java.sql.PreparedStatement ps = c.prepareStatement("SHOW GLOBAL STATUS LIKE ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(2);
      }
    }
  }

  static void analyze(String db, String... tables) throws SQLException {
    try (Connection c = server.connect(db);
        Statement s = c.createStatement()) {
      for (String t : tables) {
        try (ResultSet rs = s.executeQuery("ANALYZE TABLE `" + t + "`")) {
          while (rs.next()) {
            // drain
          }
        }
      }
    }
  }

  /** Qualified-name-free plan of a database's tables at {@code chunkBytes}. */
  static Map<String, List<String>> plan(String db, Set<String> tables, long chunkBytes)
      throws SQLException {
    try (Connection c = server.connect(db)) {
      return PrimaryKeyChunks.plan(c, db, tables, chunkBytes);
    }
  }
}
