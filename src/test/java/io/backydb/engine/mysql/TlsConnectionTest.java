package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.config.DatabaseConfig;
import io.backydb.demo.EmbeddedMariaDb;
import io.backydb.testing.SelfSignedCertificate;
import io.backydb.testing.TestServer;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that accepts TLS connections only ({@code require_secure_transport}): BackyDB's
 * connections ask for TLS where the server offers it (Connector/J's {@code sslMode=PREFERRED}), and
 * the dump reads its rows off the TLS socket ({@link WireRows}) as off a plain one. The server is
 * an embedded MariaDB of the test's own with a self-signed certificate made here.
 */
class TlsConnectionTest {

  @TempDir static Path dir;
  static EmbeddedMariaDb tls;

  @BeforeAll
  static void startServer() throws Exception {
    SelfSignedCertificate self = SelfSignedCertificate.create();
    Path cert = dir.resolve("server-cert.pem");
    Path key = dir.resolve("server-key.pem");
    try (Writer w = Files.newBufferedWriter(cert);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(self.certificate());
    }
    try (Writer w = Files.newBufferedWriter(key);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(self.keys().getPrivate());
    }
    tls =
        EmbeddedMariaDb.start(
            Path.of("target", "embedded-mariadb"),
            List.of("--ssl-cert=" + cert.toAbsolutePath(), "--ssl-key=" + key.toAbsolutePath()));
    try (Connection c = connect("REQUIRED", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE src CHARACTER SET utf8mb4");
      s.execute(
          "CREATE TABLE src.t (id INT PRIMARY KEY, s VARCHAR(100), b BLOB, j TEXT)"
              + " CHARACTER SET utf8mb4");
      s.execute(
          "INSERT INTO src.t SELECT seq, CONCAT('row''', seq, '\\\\'), RANDOM_BYTES(200),"
              + " REPEAT('\u00e9\uD83D\uDE00', seq % 500) FROM src.seq_1_to_30000");
    }
  }

  @AfterAll
  static void stopServer() {
    if (tls != null) {
      tls.close();
    }
  }

  @Test
  void theDumpReadsRowsOffTheTlsSocket() throws Exception {
    DatabaseConfig config =
        new DatabaseConfig(tls.host(), tls.port(), "root", "src", false, null, null);
    try (Connection c = new MySqlConnections(config, "").open();
        RowCursor rows = RowCursor.query(c, "SELECT id, s FROM src.t ORDER BY id")) {
      assertThat(rows).isInstanceOf(WireRows.class);
      int n = 0;
      while (rows.next()) {
        n++;
      }
      assertThat(n).isEqualTo(30000);
    }
  }

  /**
   * Every connection the backup and the restore open is a TLS one: the server's count of finished
   * TLS handshakes grows as much as its count of connections. (The embedded server runs without
   * grant tables, so {@code require_secure_transport} cannot refuse plain connections for the
   * test.)
   */
  @Test
  void aBackupOverTlsRestoresToTheSameRows() throws Exception {
    long[] before;
    try (Connection status = connect("REQUIRED", "")) {
      before = connectionsAndTlsHandshakes(status);
      backupAndRestore();
      long[] after = connectionsAndTlsHandshakes(status);
      long connections = after[0] - before[0];
      assertThat(connections).as("the backup's and the restore's connections").isGreaterThan(3);
      assertThat(after[1] - before[1]).as("of which over TLS").isEqualTo(connections);
    }
    assertThat(checksums("copy")).isEqualTo(checksums("src")).hasSize(1);
  }

  private static void backupAndRestore() throws Exception {
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("store"), dir))) {
      String location =
          backy
              .backup(
                  Map.of(
                      "database",
                      database("src"),
                      "storage",
                      Map.of("storage_type", "local"),
                      "compression",
                      Map.of("compression", true, "compression_type", "zstd")))
              .location();
      backy.restore(
          Map.of(
              "database",
              database("copy"),
              "backup_path",
              location,
              "storage",
              Map.of("storage_type", "local")));
    }
  }

  private static long[] connectionsAndTlsHandshakes(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                    + " WHERE VARIABLE_NAME IN ('CONNECTIONS', 'SSL_FINISHED_ACCEPTS')"
                    + " ORDER BY VARIABLE_NAME")) {
      long[] v = new long[2];
      for (int i = 0; i < 2; i++) {
        assertThat(rs.next()).isTrue();
        v[i] = rs.getLong(1);
      }
      return v;
    }
  }

  private static Map<String, Object> database(String db) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", tls.host());
    m.put("port", tls.port());
    m.put("user", "root");
    m.put("db_name", db);
    return m;
  }

  private static List<String> checksums(String db) throws SQLException {
    List<String> sums = new ArrayList<>();
    try (Connection c = connect("REQUIRED", db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("CHECKSUM TABLE t")) {
      while (rs.next()) {
        sums.add(rs.getString(2));
      }
    }
    return sums;
  }

  private static Connection connect(String sslMode, String db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("password", "");
    p.setProperty("sslMode", sslMode);
    p.setProperty("allowPublicKeyRetrieval", "true");
    return DriverManager.getConnection(
        "jdbc:mysql://" + tls.host() + ":" + tls.port() + "/" + db, p);
  }
}
