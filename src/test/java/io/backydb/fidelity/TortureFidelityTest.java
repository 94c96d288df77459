package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acceptance: the project's "torture" schema ({@code src/test/resources/fidelity/torture.sql}:
 * every column type, hostile identifiers, partitions, FULLTEXT and spatial indexes, foreign keys in
 * a cycle, CHECK constraints, sequences, system-versioned tables with history, routines under
 * ANSI_QUOTES and other modes, triggers in a set order, events, views on views, a DEFINER that does
 * not exist) comes back indistinguishable; and restores limited by feature, table and DEFINER
 * policy do what they say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TortureFidelityTest {

  static final Path TORTURE = Path.of("src", "test", "resources", "fidelity", "torture.sql");

  @TempDir Path dir;
  String source;
  List<String> sourceDump;
  Map<String, String> sourceChecksums;
  String target;
  BackyDB backy;

  @BeforeAll
  void loadTorture() throws Exception {
    if (!Fidelity.clientTools()) {
      return; // each test says why it is skipped
    }
    source = TestServer.uniqueName("torture_src");
    server.createDatabase(source);
    Fidelity.load(source, UnaryOperator.identity(), TORTURE);
    sourceDump = Fidelity.dump(source);
    sourceChecksums = Fidelity.checksums(source);
  }

  @AfterAll
  void dropTorture() throws Exception {
    if (source != null) {
      server.dropDatabase(source);
    }
  }

  @BeforeEach
  void setUp() {
    Fidelity.assumeClientTools();
    target = TestServer.uniqueName("torture_dst");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(target);
  }

  @ParameterizedTest(name = "multiple_files: {0}")
  @ValueSource(booleans = {false, true})
  void tortureSchemaComesBackIndistinguishable(boolean multipleFiles) throws Exception {
    BackupResult b = backy.backup(Fidelity.backupConfig(source, multipleFiles));
    backy.restore(Fidelity.restoreConfig(target, b.location(), Map.of()));

    assertThat(Fidelity.checksums(target)).isEqualTo(sourceChecksums);
    Fidelity.assertSameDump(sourceDump, Fidelity.dump(target));
    // what mariadb-dump does not show: history rows, routine bodies' comments, sequence rounds
    assertThat(programText(target)).isEqualTo(programText(source));
    assertThat(sequenceState(target)).isEqualTo(sequenceState(source));
    assertThat(sourceChecksums.get("prices")).startsWith("SYSTEM VERSIONED 3/");

    // restoring again over a changed copy, with replace_existing, replaces every object
    server.execute(target, "UPDATE audit SET what = 'changed'", "DROP VIEW mid_view");
    Map<String, Object> again =
        new java.util.HashMap<>(Fidelity.restoreConfig(target, b.location(), Map.of()));
    again.put("replace_existing", true);
    backy.restore(again);
    assertThat(Fidelity.checksums(target)).isEqualTo(sourceChecksums);
    Fidelity.assertSameDump(sourceDump, Fidelity.dump(target));

    // the routine created under ANSI_QUOTES works in the copy
    try (Connection c = server.connect(target);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ansi_total(1), greet('you')")) {
      rs.next();
      assertThat(rs.getString(1))
          .isEqualTo("-12345678901234567890123456789012345.123456789012345678901234567890");
      assertThat(rs.getString(2)).isEqualTo("héllo you 😀");
    }
    try (Connection c = server.connect(target);
        CallableStatement call = c.prepareCall("CALL `tricky proc`(5, ?)")) {
      call.registerOutParameter(1, java.sql.Types.INTEGER);
      call.execute();
      assertThat(call.getInt(1)).isEqualTo(2);
    }
  }

  /** Every routine's, trigger's and event's definition, mode and character set, and view text. */
  private Map<String, String> programText(String db) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = server.connect(db)) {
      query(
          c,
          "SELECT ROUTINE_NAME, CONCAT_WS('|', ROUTINE_DEFINITION, SQL_MODE, CHARACTER_SET_CLIENT,"
              + " COLLATION_CONNECTION, DEFINER, SECURITY_TYPE, ROUTINE_COMMENT)"
              + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
          db,
          "routine ",
          out);
      query(
          c,
          "SELECT TRIGGER_NAME, CONCAT_WS('|', ACTION_STATEMENT, ACTION_ORDER, SQL_MODE,"
              + " CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DEFINER)"
              + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
          db,
          "trigger ",
          out);
      query(
          c,
          "SELECT EVENT_NAME, CONCAT_WS('|', EVENT_DEFINITION, SQL_MODE, TIME_ZONE, STATUS,"
              + " EXECUTE_AT, INTERVAL_VALUE, STARTS, EVENT_COMMENT, DEFINER)"
              + " FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
          db,
          "event ",
          out);
      query(
          c,
          "SELECT TABLE_NAME, CONCAT_WS('|', REPLACE(VIEW_DEFINITION, ?, 'DB'), CHECK_OPTION,"
              + " DEFINER, SECURITY_TYPE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, ALGORITHM)"
              + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?",
          db,
          "view ",
          out);
    }
    assertThat(out).hasSize(13);
    return out;
  }

  private static void query(
      Connection c, String sql, String db, String prefix, Map<String, String> out)
      throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
        ps.setString(i, db);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(prefix + rs.getString(1), rs.getString(2));
        }
      }
    }
  }

  private Map<String, String> sequenceState(String db) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement()) {
      for (String seq : List.of("order_no", "cyclic seq")) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM `" + seq + "`")) {
          rs.next();
          List<String> cols = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            cols.add(rs.getString(i));
          }
          out.put(seq, String.join(",", cols));
        }
      }
    }
    return out;
  }

  @Test
  void theSingleFileDumpReplaysWithTheMariadbClient() throws Exception {
    BackupResult b = backy.backup(Fidelity.backupConfig(source, false));
    assertThat(Path.of(b.location())).isRegularFile();
    server.createDatabase(target);
    Fidelity.replay(target, Path.of(b.location()));
    assertThat(Fidelity.checksums(target)).isEqualTo(sourceChecksums);
    try (Connection c = server.connect(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()),"
                    + " (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()),"
                    + " (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()),"
                    + " (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()),"
                    + " ansi_total(1)")) {
      rs.next();
      assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)))
          .containsExactly(3, 3, 2, 5);
      assertThat(rs.getString(5)).startsWith("-12345678901234567890123456789012345.1234");
    }
  }

  @Test
  void restoreCanBeLimitedToChosenFeaturesAndTables() throws Exception {
    BackupResult b = backy.backup(Fidelity.backupConfig(source, true));
    backy.restore(
        Fidelity.restoreConfig(
            target,
            b.location(),
            Map.of(
                "features",
                Map.of("tables", true, "data", true, "triggers", true),
                "tables",
                List.of("docs", "audit", "select"))));
    Map<String, String> restored = Fidelity.checksums(target);
    assertThat(restored).containsOnlyKeys("docs", "audit", "select");
    assertThat(restored.get("docs")).isEqualTo(sourceChecksums.get("docs"));
    assertThat(restored.get("audit")).isEqualTo(sourceChecksums.get("audit"));
    try (Connection c = server.connect(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()),"
                    + " (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()),"
                    + " (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE())")) {
      rs.next();
      // the triggers of the chosen tables, nothing else
      assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(0, 3, 0);
    }
  }

  @Test
  void definersCanBeRewrittenOrDropped() throws Exception {
    BackupResult b = backy.backup(Fidelity.backupConfig(source, false));
    // a view with SQL SECURITY DEFINER needs a definer that exists
    String owner = TestServer.uniqueName("owner");
    server.execute(
        null,
        "CREATE USER '" + owner + "'@'%'",
        "GRANT ALL ON `" + target + "`.* TO '" + owner + "'@'%'");
    try {
      backy.restore(
          Fidelity.restoreConfig(
              target, b.location(), Map.of("definers", "rewrite", "definer", owner + "@'%'")));
    } finally {
      server.execute(null, "DROP USER '" + owner + "'@'%'");
    }
    assertThat(definers(target)).containsOnly(owner + "@%");

    String dropped = TestServer.uniqueName("torture_drop");
    try {
      backy.restore(Fidelity.restoreConfig(dropped, b.location(), Map.of("definers", "drop")));
      String me;
      try (Connection c = server.connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
        rs.next();
        me = rs.getString(1);
      }
      assertThat(definers(dropped)).containsOnly(me);
    } finally {
      server.dropDatabase(dropped);
    }
    // kept by default, even one that does not exist
    assertThat(definers(source)).contains("ghost@%", "ghost@localhost");
  }

  private List<String> definers(String db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()"
                    + " UNION ALL SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    assertThat(out).hasSize(13);
    return out;
  }
}
