package io.backydb.engine.mysql;

import com.mysql.cj.Messages;
import com.mysql.cj.exceptions.UnableToConnectException;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.DatabaseConfig;
import io.backydb.config.TlsMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Properties;
import javax.net.ssl.SSLException;

/**
 * The TLS of a database connection as the config asks for it ({@code database.tls}, {@code
 * database.tls_ca}): the Connector/J properties that make it so, and the CA certificates a
 * verifying mode trusts. Without {@code tls_ca} a verifying mode trusts what the JVM trusts (its
 * {@code cacerts}, or the store {@code javax.net.ssl.trustStore} names), as Connector/J does by
 * itself.
 */
final class DatabaseTls {

  private final TlsMode mode;

  /** The host connected to, as the config names it (for the host name check's refusal). */
  private final String host;

  /** {@code tls_ca} as an absolute path, or null. */
  private final Path caFile;

  /** {@code tls_ca}'s certificates as a PKCS#12 trust store, or null. */
  private final byte[] trustStore;

  private DatabaseTls(TlsMode mode, String host, Path caFile, byte[] trustStore) {
    this.mode = mode;
    this.host = host;
    this.caFile = caFile;
    this.trustStore = trustStore;
  }

  /**
   * The TLS {@code config} asks for, its CA file read now.
   *
   * @throws BackyException ({@link ErrorCode#CONFIG}) if the CA file does not exist, cannot be read
   *     or holds no certificate
   */
  static DatabaseTls of(DatabaseConfig config) {
    if (config.tlsCa() == null) {
      return new DatabaseTls(config.tls(), config.host(), null, null);
    }
    Path file = caFile(config.tlsCa());
    return new DatabaseTls(config.tls(), config.host(), file, trustStoreOf(file));
  }

  /**
   * Sets the TLS properties of a connection about to be opened; returns the trust store file to
   * close (delete) once it is open or refused, or null if none was written.
   */
  TrustStoreFile configure(Properties p) {
    p.setProperty("sslMode", mode.name());
    if (trustStore == null) {
      // a verifying mode without tls_ca: the JVM's trust store
      p.setProperty("fallbackToSystemTrustStore", "true");
      return null;
    }
    TrustStoreFile file = TrustStoreFile.write(trustStore);
    p.setProperty("trustCertificateKeyStoreUrl", file.url());
    p.setProperty("trustCertificateKeyStoreType", TrustStoreFile.TYPE);
    p.setProperty("trustCertificateKeyStorePassword", "");
    // the CA file's certificates only, not the JVM's as well
    p.setProperty("fallbackToSystemTrustStore", "false");
    return file;
  }

  /**
   * Why a connection was refused, in an operator's words, if TLS is why; null otherwise.
   * Connector/J reports a failed certificate check as a "Communications link failure" and keeps
   * what failed in its exception chain.
   */
  String whyRefused(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnableToConnectException
          && Messages.getString("MysqlIO.15").equals(t.getMessage())) {
        // "SSL Connection required, but not provided by server."
        return "the server does not offer TLS, and database.tls is "
            + mode.key()
            + " (only tls: preferred uses a server without TLS, in plain text)";
      }
      if (t instanceof CertPathValidatorException v
          && v.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
        return caFile != null
            ? "the server's certificate is not signed by the CA in " + caFile + " (database.tls_ca)"
            : "the server's certificate is not signed by a CA the JVM trusts: set database.tls_ca"
                + " to the PEM file of the CA that signed it";
      }
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        return "the server's certificate, or its CA's, is out of its validity period ("
            + t.getMessage()
            + ")";
      }
      if (t instanceof CertificateException
          && t.getMessage() != null
          && t.getMessage().startsWith(CONNECTOR_J_IDENTITY_FAILURE)) {
        return "the server's certificate does not name host '"
            + host
            + "' (database.tls is verify_identity: database.host must be a name the certificate"
            + " holds)";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException || t instanceof CertificateException) {
        return "the TLS handshake failed (" + deepest(t) + ")";
      }
    }
    return null;
  }

  /** How Connector/J's host name check (for {@code VERIFY_IDENTITY}) begins its refusals. */
  private static final String CONNECTOR_J_IDENTITY_FAILURE = "Server identity verification failed";

  /** The message of the innermost cause: JSSE's outer ones repeat it behind class names. */
  private static String deepest(Throwable t) {
    Throwable d = t;
    while (d.getCause() != null && d.getCause() != d) {
      d = d.getCause();
    }
    String m = d.getMessage() == null ? d.getClass().getSimpleName() : d.getMessage();
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }

  private static Path caFile(String name) {
    try {
      return Path.of(name).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new BackyException(
          ErrorCode.CONFIG, "database.tls_ca '" + name + "' is not a file name: " + e.getReason());
    }
  }

  /** The certificates of a PEM (or DER) file as a PKCS#12 trust store with an empty password. */
  private static byte[] trustStoreOf(Path file) {
    if (Files.isDirectory(file)) {
      // opened without a complaint on Linux; the reading fails as if it held no certificate
      throw new BackyException(
          ErrorCode.CONFIG, "database.tls_ca " + file + " cannot be read: it is a folder");
    }
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new BackyException(ErrorCode.CONFIG, "database.tls_ca " + file + " does not exist");
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "database.tls_ca "
              + file
              + " cannot be read: "
              + (e instanceof AccessDeniedException ? "permission denied" : e.getMessage()));
    } catch (CertificateException e) {
      throw notACertificate(file);
    }
    if (certificates.isEmpty()) {
      throw notACertificate(file);
    }
    try {
      KeyStore store = KeyStore.getInstance(TrustStoreFile.TYPE);
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, new char[0]);
      return out.toByteArray();
    } catch (GeneralSecurityException | IOException e) {
      throw new BackyException(
          ErrorCode.FAILED,
          "cannot make a trust store of the certificates in database.tls_ca " + file,
          e);
    }
  }

  private static BackyException notACertificate(Path file) {
    return new BackyException(
        ErrorCode.CONFIG,
        "database.tls_ca "
            + file
            + " holds no certificate: it must be the PEM file of the CA certificate that signed"
            + " the server's (-----BEGIN CERTIFICATE-----)");
  }
}
