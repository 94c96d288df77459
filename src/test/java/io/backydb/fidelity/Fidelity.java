package io.backydb.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.backydb.testing.TestServer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * What the fidelity tests share: loading a script with the {@code mariadb} client, dumping a
 * database with {@code mariadb-dump} the way the acceptance criterion says, and comparing two
 * databases by dump text and by CHECKSUM TABLE.
 */
final class Fidelity {

  static final TestServer server = TestServer.get();

  private Fidelity() {}

  /** A program on the PATH, if there is one. */
  static Optional<Path> tool(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(java.io.File.pathSeparator, -1)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static boolean clientTools() {
    return tool("mariadb").isPresent() && tool("mariadb-dump").isPresent();
  }

  /** Skips the calling test where the mariadb client tools are not installed. */
  static void assumeClientTools() {
    Assumptions.assumeTrue(
        clientTools(),
        "the fidelity tests need the mariadb and mariadb-dump client programs on the PATH");
  }

  private static List<String> connectArgs(String program) {
    return new ArrayList<>(
        List.of(
            tool(program).orElseThrow().toString(),
            "--no-defaults",
            "-uroot",
            "-h" + server.host(),
            "-P" + server.port(),
            "--protocol=TCP"));
  }

  /**
   * Feeds SQL scripts to {@code mariadb --comments DB} (comments kept, so routine bodies keep
   * theirs), each line passed through {@code rewrite}.
   */
  static void load(String db, UnaryOperator<String> rewrite, Path... scripts) throws Exception {
    List<String> cmd = connectArgs("mariadb");
    cmd.add("--comments");
    cmd.add("--default-character-set=utf8mb4");
    cmd.add(db);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<byte[]> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return p.getInputStream().readAllBytes();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try (BufferedWriter w =
        new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8))) {
      for (Path script : scripts) {
        try (BufferedReader r = Files.newBufferedReader(script, StandardCharsets.UTF_8)) {
          String line;
          while ((line = r.readLine()) != null) {
            w.write(rewrite.apply(line));
            w.write('\n');
          }
        }
      }
    }
    int rc = p.waitFor();
    String out = new String(output.get(), StandardCharsets.UTF_8);
    assertThat(rc).as("mariadb client loading %s: %s", List.of(scripts), out).isZero();
  }

  /** Replays one SQL file with the mariadb client (as a user would). */
  static String replay(String db, Path file) throws Exception {
    List<String> cmd = connectArgs("mariadb");
    cmd.add(db);
    Process p =
        new ProcessBuilder(cmd).redirectInput(file.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("mariadb client replaying %s: %s", file, out).isZero();
    return out;
  }

  /**
   * {@code mariadb-dump --routines --triggers --events --skip-dump-date DB}, with the database name
   * replaced by {@code DB}: the acceptance criterion's view of a database. Bytes are read as
   * ISO-8859-1 so binary values compare exactly.
   */
  static List<String> dump(String db) throws Exception {
    List<String> cmd = connectArgs("mariadb-dump");
    cmd.addAll(List.of("--routines", "--triggers", "--events", "--skip-dump-date", db));
    Process p = new ProcessBuilder(cmd).start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return p.getErrorStream().readAllBytes();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    assertThat(p.waitFor())
        .as("mariadb-dump %s: %s", db, new String(err.get(), StandardCharsets.UTF_8))
        .isZero();
    String normalised = text.replace(db, "DB");
    return List.of(normalised.split("\n", -1));
  }

  /** Fails with the first differing line (and its neighbourhood) when two dumps differ. */
  static void assertSameDump(List<String> source, List<String> copy) {
    int n = Math.min(source.size(), copy.size());
    for (int i = 0; i < n; i++) {
      if (!source.get(i).equals(copy.get(i))) {
        fail(
            "dumps differ at line %d:%n  source: %s%n  copy:   %s%n(source context: %s)",
            i + 1,
            abbreviate(source.get(i)),
            abbreviate(copy.get(i)),
            abbreviate(String.join(" | ", source.subList(Math.max(0, i - 3), i))));
      }
    }
    assertThat(copy.size()).as("dump line count").isEqualTo(source.size());
    assertThat(source.size()).as("the dump is not empty").isGreaterThan(20);
  }

  private static String abbreviate(String s) {
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  /**
   * CHECKSUM TABLE of every table, system-versioned table (history included) and sequence, with its
   * row count.
   */
  static Map<String, String> checksums(String db) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement()) {
      Map<String, String> tables = new LinkedHashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                  + " AND TABLE_TYPE <> 'VIEW' ORDER BY TABLE_NAME")) {
        ps.setString(1, db);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            tables.put(rs.getString(1), rs.getString(2));
          }
        }
      }
      for (var e : tables.entrySet()) {
        String q = "`" + e.getKey().replace("`", "``") + "`";
        String rows = "-";
        if (!e.getValue().equals("SEQUENCE")) {
          String all = e.getValue().equals("SYSTEM VERSIONED") ? " FOR SYSTEM_TIME ALL" : "";
          try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + q + all)) {
            rs.next();
            rows = rs.getString(1);
          }
        }
        try (ResultSet rs = s.executeQuery("CHECKSUM TABLE " + q)) {
          rs.next();
          out.put(e.getKey(), e.getValue() + " " + rows + "/" + rs.getString(2));
        }
      }
    }
    return out;
  }

  /** Every feature, as the seed's {@code database.features} map. */
  static Map<String, Object> allFeatures() {
    Map<String, Object> f = new LinkedHashMap<>();
    for (String k :
        List.of("tables", "data", "views", "functions", "procedures", "triggers", "events")) {
      f.put(k, true);
    }
    return f;
  }

  /** A backup config for every feature of {@code db}. */
  static Map<String, Object> backupConfig(String db, boolean multipleFiles) {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(db));
    database.put("features", allFeatures());
    database.put("multiple_files", multipleFiles);
    return Map.of("database", database, "storage", Map.of("storage_type", "local"));
  }

  /** A backup config for the data of {@code db} alone ({@code features: {data: true}}). */
  static Map<String, Object> dataOnlyBackupConfig(String db) {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(db));
    database.put("features", Map.of("data", true));
    return Map.of("database", database, "storage", Map.of("storage_type", "local"));
  }

  /** {@link #restoreConfig} with {@code replace_existing}. */
  static Map<String, Object> replacingConfig(
      String db, String location, Map<String, Object> databaseExtras) {
    Map<String, Object> config = new LinkedHashMap<>(restoreConfig(db, location, databaseExtras));
    config.put("replace_existing", true);
    return config;
  }

  /** A restore config into {@code db}, with extra keys in its database section. */
  static Map<String, Object> restoreConfig(
      String db, String location, Map<String, Object> databaseExtras) {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(db));
    database.putAll(databaseExtras);
    return Map.of(
        "database", database, "backup_path", location, "storage", Map.of("storage_type", "local"));
  }

  /** Replaces whole words of a database name in a script line. */
  static UnaryOperator<String> renameDatabase(String from, String to) {
    Pattern word = Pattern.compile("\\b" + Pattern.quote(from) + "\\b");
    String quoted = "`" + to + "`";
    return line -> {
      String t = line.trim();
      if (t.equalsIgnoreCase("DROP SCHEMA IF EXISTS " + from + ";")
          || t.equalsIgnoreCase("CREATE SCHEMA " + from + ";")
          || t.equalsIgnoreCase("DROP DATABASE IF EXISTS " + from + ";")
          || t.equalsIgnoreCase("CREATE DATABASE " + from + ";")) {
        return "";
      }
      return word.matcher(line).replaceAll(java.util.regex.Matcher.quoteReplacement(quoted));
    };
  }
}
