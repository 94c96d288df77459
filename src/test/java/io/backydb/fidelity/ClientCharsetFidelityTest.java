package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routines, triggers, events and views created by a latin1 client, with text outside ASCII, come
 * back as they were (not as {@code cafÃ©}), through BackyDB's restore and through {@code mariadb <
 * dump.sql}; and they keep their character_set_client.
 */
class ClientCharsetFidelityTest {

  @TempDir Path dir;
  String source;
  final List<String> targets = new ArrayList<>();

  @BeforeEach
  void createObjectsFromALatin1Client() throws Exception {
    source = TestServer.uniqueName("latin1_src");
    server.createDatabase(source);
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("password", "");
    // Connector/J says SET NAMES latin1 and sends the statements' text in cp1252 (latin1 to MySQL)
    p.setProperty("characterEncoding", "Cp1252");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:mysql://" + server.host() + ":" + server.port() + "/" + source, p);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40))");
      s.execute("CREATE PROCEDURE p() SELECT 'café crème' AS v");
      s.execute("CREATE FUNCTION f() RETURNS VARCHAR(20) DETERMINISTIC RETURN 'naïve €5'");
      s.execute("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 'Grüße'");
      s.execute("CREATE VIEW vw AS SELECT 'déjà vu' AS v");
      s.execute(
          "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE"
              + " DO INSERT INTO t VALUES (99, 'señal')");
    }
  }

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(source);
    for (String t : targets) {
      server.dropDatabase(t);
    }
  }

  @Test
  void nonAsciiTextOfALatin1ClientComesBackAsItWas() throws Exception {
    assertThat(objectTexts(source))
        .containsExactly("café crème", "naïve €5", "déjà vu", "Grüße", "señal", "latin1");
    String location;
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      location = backy.backup(Fidelity.backupConfig(source, false)).location();
      String restored = TestServer.uniqueName("latin1_dst");
      targets.add(restored);
      backy.restore(Fidelity.restoreConfig(restored, location, Map.of()));
      assertThat(objectTexts(restored)).isEqualTo(objectTexts(source));
    }
    if (Fidelity.clientTools()) {
      String replayed = TestServer.uniqueName("latin1_cli");
      targets.add(replayed);
      server.createDatabase(replayed);
      Fidelity.replay(replayed, Path.of(location));
      assertThat(objectTexts(replayed)).isEqualTo(objectTexts(source));
    }
  }

  /** What each object yields, read by a utf8mb4 client, and the procedure's client charset. */
  static List<String> objectTexts(String db) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Connection c = server.connect(db);
        Statement s = c.createStatement()) {
      texts.add(one(s, "CALL p()"));
      texts.add(one(s, "SELECT f()"));
      texts.add(one(s, "SELECT v FROM vw"));
      s.execute("DELETE FROM t");
      s.execute("INSERT INTO t (id) VALUES (1)");
      texts.add(one(s, "SELECT v FROM t WHERE id = 1"));
      String event =
          one(
              s,
              "SELECT EVENT_DEFINITION FROM information_schema.EVENTS"
                  + " WHERE EVENT_SCHEMA = DATABASE() AND EVENT_NAME = 'ev'");
      texts.add(event.substring(event.indexOf('\'') + 1, event.lastIndexOf('\'')));
      texts.add(
          one(
              s,
              "SELECT CHARACTER_SET_CLIENT FROM information_schema.ROUTINES"
                  + " WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = 'p'"));
    }
    return texts;
  }

  static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
