package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.storage.OwnerOnly;
import io.backydb.storage.PartialFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trust store written to a temporary file for the time one connection is opened. Connector/J
 * reads the CA certificates a verifying {@code sslMode} trusts only from a key store it opens by
 * URL ({@code trustCertificateKeyStoreUrl}), and reads no PEM: the CA file's certificates go into a
 * PKCS#12 store, kept in memory, and written here only while a connection's TLS handshake needs it.
 * The file is created readable and writable by its owner only (on POSIX), so that nobody else can
 * swap in a CA of their own, and is deleted when closed. It holds certificates only, nothing
 * secret.
 *
 * <p>Connector/J opens the URL with {@code java.net.URL}, so only a scheme the JVM knows serves,
 * and the JDK has none for bytes in memory (a handler of our own would have to be registered for
 * the whole JVM, which an application embedding BackyDB may not allow): the file stays. It is named
 * as BackyDB names its temporary files ({@link PartialFiles}: {@code
 * .backydb-tls-ca.p12.<machine>.<pid>.<uuid>.partial} in {@code java.io.tmpdir}), so that the next
 * one written removes those of a process killed while it connected (SIGKILL runs no clean-up).
 */
final class TrustStoreFile implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrustStoreFile.class);

  /** The key store type Connector/J is told to read. */
  static final String TYPE = "PKCS12";

  /** What the files are named for ({@link PartialFiles#beside}), in the temporary folder. */
  static final String NAME = "backydb-tls-ca.p12";

  /** The names of older versions ({@code Files.createTempFile}), removed once a day old. */
  private static final Pattern LEGACY = Pattern.compile("backydb-tls-ca-[0-9]+\\.p12");

  private final Path file;

  private TrustStoreFile(Path file) {
    this.file = file;
  }

  /** Writes {@code pkcs12} (a trust store of type {@link #TYPE}) to a new owner-only file. */
  static TrustStoreFile write(byte[] pkcs12) {
    Path target = Path.of(System.getProperty("java.io.tmpdir"), NAME);
    for (Path f : PartialFiles.removeAbandoned(target, LEGACY)) {
      LOG.info("removed {}, the trust store of a process that was killed", f);
    }
    Path file = null;
    try {
      file = Files.createFile(PartialFiles.beside(target), OwnerOnly.file());
      Files.write(file, pkcs12);
      return new TrustStoreFile(file);
    } catch (IOException | UncheckedIOException e) {
      deleteQuietly(file);
      throw new BackyException(
          ErrorCode.FAILED,
          "cannot write the trust store of database.tls_ca to the temporary folder "
              + System.getProperty("java.io.tmpdir")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Where Connector/J opens it: {@code trustCertificateKeyStoreUrl}. */
  String url() {
    return file.toUri().toString();
  }

  @Override
  public void close() {
    deleteQuietly(file);
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the connection is made or refused already; the file holds public certificates only
      LOG.warn("could not delete the temporary trust store {}: {}", file, e.getMessage());
    }
  }
}
