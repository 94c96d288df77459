package io.backydb.engine.mysql;

import static io.backydb.testing.TestCertificateAuthority.writePem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.DatabaseConfig;
import io.backydb.config.TlsMode;
import io.backydb.demo.EmbeddedMariaDb;
import io.backydb.testing.CliRun;
import io.backydb.testing.TestCertificateAuthority;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A server that offers TLS, with a certificate for {@code localhost} issued by a CA of the test's
 * own (it runs without grant tables, so it cannot refuse plain connections, which some tests use):
 * BackyDB's connections ask for TLS where the server offers it (Connector/J's {@code
 * sslMode=PREFERRED}), or insist on it and check the server's certificate ({@code database.tls},
 * {@code database.tls_ca}), and the dump reads its rows off the TLS socket ({@link WireRows}) as
 * off a plain one. The server is an embedded MariaDB of the test's own.
 */
class TlsConnectionTest {

  @TempDir static Path dir;
  static EmbeddedMariaDb tls;

  /** The PEM file of the CA that issued the server's certificate. */
  static Path ca;

  /** The PEM file of another CA, which issued nothing the server holds. */
  static Path otherCa;

  /** The CA of {@link #ca}, and the certificate for localhost it issued, which the server holds. */
  static TestCertificateAuthority authority;

  static TestCertificateAuthority.Issued issued;

  /** The server's certificate and key files ({@code --ssl-cert}, {@code --ssl-key}). */
  static Path cert;

  static Path key;

  @BeforeAll
  static void startServer() throws Exception {
    authority = TestCertificateAuthority.create("BackyDB test CA");
    issued = authority.issue("localhost");
    cert = dir.resolve("server-cert.pem");
    key = dir.resolve("server-key.pem");
    serve(issued);
    ca = writePem(dir.resolve("ca.pem"), authority.certificate());
    otherCa =
        writePem(
            dir.resolve("other-ca.pem"),
            TestCertificateAuthority.create("Someone else's CA").certificate());
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

  /** The dump reads rows off the TLS socket whether or not the certificate is checked. */
  @ParameterizedTest(name = "{1} to {0}")
  @CsvSource({
    "127.0.0.1, PREFERRED, false",
    "127.0.0.1, VERIFY_CA, true",
    "localhost, VERIFY_IDENTITY, true"
  })
  void theDumpReadsRowsOffTheTlsSocket(String host, TlsMode mode, boolean withCa) throws Exception {
    DatabaseConfig config =
        new DatabaseConfig(host, tls.port(), "root", "src", false, null, null)
            .withTls(mode, withCa ? ca.toString() : null);
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
   * {@code bin/backy backup} with {@code tls: verify_ca} and the server's CA, and {@code restore}
   * with {@code tls: verify_identity} by the name the certificate holds: every connection takes
   * TLS, and the copy has the rows of the source.
   */
  @Test
  void aVerifiedBackupAndRestoreThroughTheCommandLine() throws Exception {
    Path backups = dir.resolve("verified-backups");
    long[] before;
    try (Connection status = connect("REQUIRED", "")) {
      before = connectionsAndTlsHandshakes(status);
      CliRun backup =
          backy(
              backups,
              "backup",
              config("backup.yaml", "127.0.0.1", "src", "tls: verify_ca\n  tls_ca: " + ca, ""));
      assertThat(backup.exit()).as(backup.err()).isZero();
      // the backup as it printed it, on its last line
      String location = backup.out().strip().lines().reduce((a, b) -> b).orElseThrow();
      CliRun restore =
          backy(
              backups,
              "restore",
              config(
                  "restore.yaml",
                  "localhost",
                  "verified_copy",
                  "tls: VERIFY_IDENTITY\n  tls_ca: " + ca,
                  "backup_path: " + location + "\n"));
      assertThat(restore.exit()).as(restore.err()).isZero();
      long[] after = connectionsAndTlsHandshakes(status);
      long connections = after[0] - before[0];
      assertThat(connections).as("the backup's and the restore's connections").isGreaterThan(3);
      assertThat(after[1] - before[1]).as("of which over TLS").isEqualTo(connections);
    }
    assertThat(checksums("verified_copy")).isEqualTo(checksums("src")).hasSize(1);
  }

  /**
   * A server whose certificate the CA file did not issue is refused before anything runs: the
   * backup's folder is not even created, the restore's database neither; one line, exit 1.
   */
  @Test
  void aServerCertifiedByAnotherCaIsRefused() throws Exception {
    Path backups = dir.resolve("refused-backups");
    CliRun backup =
        backy(
            backups,
            "backup",
            config(
                "other-ca.yaml", "127.0.0.1", "src", "tls: verify_ca\n  tls_ca: " + otherCa, ""));
    assertThat(backup.exit()).isEqualTo(1);
    assertThat(backup.err())
        .isEqualTo(
            refusal(
                "127.0.0.1",
                "the server's certificate is not signed by the CA in "
                    + otherCa
                    + " (database.tls_ca)"));
    assertThat(backups).doesNotExist();

    Files.createDirectories(backups);
    Files.writeString(backups.resolve("x.sql"), "CREATE TABLE t (id INT);\n");
    CliRun restore =
        backy(
            backups,
            "restore",
            config(
                "other-ca-restore.yaml",
                "localhost",
                "never_created",
                "tls: verify_identity\n  tls_ca: " + otherCa,
                "backup_path: x.sql\n"));
    assertThat(restore.exit()).isEqualTo(1);
    assertThat(restore.err())
        .isEqualTo(
            refusal(
                "localhost",
                "the server's certificate is not signed by the CA in "
                    + otherCa
                    + " (database.tls_ca)"));
    assertThat(databases()).doesNotContain("never_created");
  }

  /** Without tls_ca, a verifying mode trusts the JVM's CAs, and a private CA is none of them. */
  @Test
  void withoutACaFileTheJvmsTrustStoreDecides() {
    DatabaseConfig config =
        new DatabaseConfig("127.0.0.1", tls.port(), "root", "src", false, null, null)
            .withTls(TlsMode.VERIFY_CA, null);
    assertThatThrownBy(() -> new MySqlConnections(config, "").open().close())
        .isInstanceOf(BackyException.class)
        .hasMessage(
            "cannot connect to root@127.0.0.1:"
                + tls.port()
                + ": the server's certificate is not signed by a CA the JVM trusts: set"
                + " database.tls_ca to the PEM file of the CA that signed it")
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.DATABASE));
  }

  /**
   * {@code verify_identity} refuses a certificate that does not name the host connected to (issued
   * for localhost, connected to as 127.0.0.1), which {@code verify_ca} accepts.
   */
  @Test
  void verifyIdentityRefusesACertificateForAnotherName() throws Exception {
    Path backups = dir.resolve("identity-backups");
    CliRun backup =
        backy(
            backups,
            "backup",
            config(
                "identity.yaml", "127.0.0.1", "src", "tls: verify_identity\n  tls_ca: " + ca, ""));
    assertThat(backup.exit()).isEqualTo(1);
    assertThat(backup.err())
        .isEqualTo(
            refusal(
                "127.0.0.1",
                "the server's certificate does not name host '127.0.0.1' (database.tls is"
                    + " verify_identity: database.host must be a name the certificate holds)"));
    assertThat(backups).doesNotExist();
  }

  /**
   * {@code tls: required} against the local server, which offers no TLS ({@code have_ssl} is not
   * YES there): refused, in one line, before anything runs.
   */
  @Test
  void requiredIsRefusedByAServerWithoutTls() throws Exception {
    TestServer plain = TestServer.get();
    assumeThat(plain.rows(null, "SELECT @@have_ssl"))
        .as("the test server offers TLS")
        .doesNotContain("YES");
    Path backups = dir.resolve("plain-backups");
    Path f = dir.resolve("required.yaml");
    Files.writeString(
        f,
        "database:\n  host: "
            + plain.host()
            + "\n  port: "
            + plain.port()
            + "\n  user: root\n  db_name: mysql\n  tls: required\n"
            + "storage:\n  storage_type: local\n");
    CliRun backup = backy(backups, "backup", f);
    assertThat(backup.exit()).isEqualTo(1);
    assertThat(backup.err())
        .isEqualTo(
            "backy: error: cannot connect to root@"
                + plain.host()
                + ":"
                + plain.port()
                + ": the server does not offer TLS, and database.tls is required (only tls:"
                + " preferred uses a server without TLS, in plain text)\n");
    assertThat(backups).doesNotExist();
  }

  /**
   * A server whose certificate expired yesterday is refused with {@code verify_ca}, though its CA
   * is the CA file's, in one line naming the validity period: through the API as through {@code
   * bin/backy backup}, which writes nothing. So it is with every {@code tls}, even those that check
   * nothing else of the certificate: Connector/J checks the validity period of every certificate it
   * is shown. The server serves that certificate for this test only ({@code FLUSH SSL} reloads the
   * certificate files).
   */
  @Test
  void aServerWithAnExpiredCertificateIsRefused() throws Exception {
    Instant now = Instant.now();
    TestCertificateAuthority.Issued expired =
        authority.issue("localhost", now.minus(2, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
    serve(expired);
    try {
      String reason =
          "the server's certificate, or its CA's, is out of its validity period (NotAfter: "
              + expired.certificate().getNotAfter()
              + ")";
      for (TlsMode mode : TlsMode.values()) {
        DatabaseConfig config =
            new DatabaseConfig("localhost", tls.port(), "root", "src", false, null, null)
                .withTls(mode, mode.verifiesCertificate() ? ca.toString() : null);
        assertThatThrownBy(() -> new MySqlConnections(config, "").open().close())
            .as(mode.key())
            .isInstanceOf(BackyException.class)
            .hasMessage("cannot connect to root@localhost:" + tls.port() + ": " + reason)
            .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.DATABASE));
      }

      Path backups = dir.resolve("expired-backups");
      CliRun backup =
          backy(
              backups,
              "backup",
              config("expired.yaml", "127.0.0.1", "src", "tls: verify_ca\n  tls_ca: " + ca, ""));
      assertThat(backup.exit()).isEqualTo(ErrorCode.DATABASE.exitCode());
      assertThat(backup.err()).isEqualTo(refusal("127.0.0.1", reason));
      assertThat(backups).doesNotExist();
    } finally {
      serve(issued);
    }
  }

  /**
   * Writes {@code certificate} and its key to the server's certificate and key files; a running
   * server reloads them ({@code FLUSH SSL}), and is checked to serve the certificate if it is valid
   * (an expired one is refused even by {@code sslMode=REQUIRED}).
   */
  private static void serve(TestCertificateAuthority.Issued certificate) throws Exception {
    writePem(cert, certificate.certificate());
    writePem(key, certificate.keys().getPrivate());
    if (tls == null) {
      return;
    }
    // in plain text (the embedded server allows it): Connector/J refuses an expired certificate
    // even where it checks nothing else (sslMode=REQUIRED)
    try (Connection c = connect("DISABLED", "");
        Statement s = c.createStatement()) {
      s.execute("FLUSH SSL");
    }
    if (certificate.certificate().getNotAfter().toInstant().isBefore(Instant.now())) {
      return; // the refusal names its end
    }
    try (Connection c = connect("REQUIRED", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_server_not_after'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2))
          .as("the end of the certificate the server serves")
          .isEqualTo(notAfter(certificate));
    }
  }

  /**
   * {@code notAfter} of a certificate as MariaDB shows it (OpenSSL's {@code Jan 2 03:04:05 2025
   * GMT}).
   */
  private static String notAfter(TestCertificateAuthority.Issued certificate) {
    return DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT)
        .withZone(ZoneOffset.UTC)
        .format(certificate.certificate().getNotAfter().toInstant());
  }

  /** {@code bin/backy <command> --config <config>}, keeping backups in {@code backups}. */
  private static CliRun backy(Path backups, String command, Path config) {
    return CliRun.backy(dir, backups, command, "--config", config.toString());
  }

  /** What {@code bin/backy} prints when the test's server at {@code host} is refused. */
  private static String refusal(String host, String reason) {
    return "backy: error: cannot connect to root@" + host + ":" + tls.port() + ": " + reason + "\n";
  }

  /** A config file for the test's server, with {@code tls} lines in its database section. */
  private static Path config(String name, String host, String db, String tlsLines, String more)
      throws Exception {
    return Files.writeString(
        dir.resolve(name),
        "database:\n  host: "
            + host
            + "\n  port: "
            + tls.port()
            + "\n  user: root\n  db_name: "
            + db
            + "\n  "
            + tlsLines
            + "\nstorage:\n  storage_type: local\n"
            + more);
  }

  private static List<String> databases() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = connect("REQUIRED", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW DATABASES")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
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
