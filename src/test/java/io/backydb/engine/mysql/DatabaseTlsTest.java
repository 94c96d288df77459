package io.backydb.engine.mysql;

import static io.backydb.testing.TestCertificateAuthority.writePem;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.DatabaseConfig;
import io.backydb.config.TlsMode;
import io.backydb.testing.CliRun;
import io.backydb.testing.TestCertificateAuthority;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA file of {@code database.tls_ca}: one that cannot be used is a config error (exit 2) before
 * any connection, and one that can reaches Connector/J as a trust store that lives only while a
 * connection is opened.
 */
class DatabaseTlsTest {

  @TempDir Path dir;

  /**
   * The config's server is a port nothing listens on: an error about the CA file, rather than the
   * refused connection, shows it was checked first.
   */
  private CliRun backupWith(String caFile) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("backup.yaml"),
            "database: {host: 127.0.0.1, port: 1, user: root, db_name: x, tls: verify_ca,"
                + " tls_ca: '"
                + caFile
                + "'}\nstorage: {storage_type: local}\n");
    return CliRun.backy(dir, dir.resolve("backups"), "backup", "--config", config.toString());
  }

  private void assertConfigError(CliRun run, String message) {
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("backy: error: " + message + "\n");
    assertThat(dir.resolve("backups")).doesNotExist();
  }

  @Test
  void aMissingCaFileIsAConfigErrorNamingItsAbsolutePath() throws Exception {
    assertConfigError(
        backupWith("no-such-ca.pem"),
        "database.tls_ca " + Path.of("no-such-ca.pem").toAbsolutePath() + " does not exist");
  }

  @Test
  void aFolderIsAConfigError() throws Exception {
    assertConfigError(
        backupWith(dir.toString()), "database.tls_ca " + dir + " cannot be read: it is a folder");
  }

  /** A private key, an empty file or text: none is a certificate, and the key is not quoted. */
  @Test
  void aFileWithoutACertificateIsAConfigError() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("CA");
    Path key = writePem(dir.resolve("key.pem"), ca.issue("db").keys().getPrivate());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    Path text = Files.writeString(dir.resolve("text.pem"), "not a certificate\n");
    for (Path f : new Path[] {key, empty, text}) {
      assertConfigError(
          backupWith(f.toString()),
          "database.tls_ca "
              + f
              + " holds no certificate: it must be the PEM file of the CA certificate that signed"
              + " the server's (-----BEGIN CERTIFICATE-----)");
    }
  }

  /** A restore reads the CA file before it connects too. */
  @Test
  void aRestoreRefusesAMissingCaFileAsAConfigError() throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path config =
        Files.writeString(
            dir.resolve("restore.yaml"),
            "database: {host: 127.0.0.1, port: 1, user: root, db_name: x, tls: verify_identity,"
                + " tls_ca: '"
                + missing
                + "'}\nbackup_path: x.sql\nstorage: {storage_type: local}\n");
    Files.createDirectories(dir.resolve("backups"));
    CliRun run =
        CliRun.backy(dir, dir.resolve("backups"), "restore", "--config", config.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("backy: error: database.tls_ca " + missing + " does not exist\n");
  }

  /**
   * Every certificate of a CA bundle is trusted; Connector/J reads them from an owner-only PKCS#12
   * file that is gone once the connection is made.
   */
  @Test
  void theTrustStoreHoldsEveryCertificateOfTheFileOwnerOnlyAndOnlyWhileItIsUsed() throws Exception {
    TestCertificateAuthority first = TestCertificateAuthority.create("First CA");
    TestCertificateAuthority second = TestCertificateAuthority.create("Second CA");
    Path bundle = dir.resolve("bundle.pem");
    Files.writeString(
        bundle,
        Files.readString(writePem(dir.resolve("1.pem"), first.certificate()))
            + Files.readString(writePem(dir.resolve("2.pem"), second.certificate())));
    DatabaseTls tls =
        DatabaseTls.of(
            new DatabaseConfig("db", 3306, "u", "d", false, null, null)
                .withTls(TlsMode.VERIFY_IDENTITY, bundle.toString()));

    Properties p = new Properties();
    Path file;
    try (TrustStoreFile trust = tls.configure(p)) {
      assertThat(p.getProperty("sslMode")).isEqualTo("VERIFY_IDENTITY");
      assertThat(p.getProperty("fallbackToSystemTrustStore")).isEqualTo("false");
      file = Path.of(URI.create(p.getProperty("trustCertificateKeyStoreUrl")));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      KeyStore store = KeyStore.getInstance(p.getProperty("trustCertificateKeyStoreType"));
      try (InputStream in = Files.newInputStream(file)) {
        store.load(in, p.getProperty("trustCertificateKeyStorePassword").toCharArray());
      }
      assertThat(Collections.list(store.aliases()))
          .extracting(a -> store.getCertificate(a))
          .containsExactlyInAnyOrder(first.certificate(), second.certificate());
    }
    assertThat(file).doesNotExist();
  }

  /** Without tls_ca no file is written, and the JVM's trust store decides. */
  @Test
  void withoutACaFileNothingIsWritten() {
    Properties p = new Properties();
    TrustStoreFile trust =
        DatabaseTls.of(
                new DatabaseConfig("db", 3306, "u", "d", false, null, null)
                    .withTls(TlsMode.VERIFY_CA, null))
            .configure(p);
    assertThat(trust).isNull();
    assertThat(p)
        .containsEntry("sslMode", "VERIFY_CA")
        .containsEntry("fallbackToSystemTrustStore", "true")
        .doesNotContainKey("trustCertificateKeyStoreUrl");
    assertThat(
            DatabaseTls.of(new DatabaseConfig("db", 3306, "u", "d", false, null, null))
                .configure(p))
        .isNull();
    assertThat(p).containsEntry("sslMode", "PREFERRED");
  }
}
