package io.backydb.codec;

import io.backydb.storage.BackupStorage;
import io.backydb.storage.OwnerOnly;
import io.backydb.storage.PartialFiles;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary file for a stream whose size must be known before it is written elsewhere (a tar
 * entry states its size first, an S3 part its length). Its content is encrypted with a key that
 * exists only in this object, so the plaintext of a backup that is to be encrypted never reaches
 * the disk, not even in a file left behind by a killed process. The file is owner-only and deleted
 * on {@link #close}. It is named as BackyDB names its temporary files ({@link PartialFiles}: {@code
 * .backy-spool.<machine>.<pid>.<uuid>.partial} in {@code java.io.tmpdir}), so that a new spool
 * removes those of processes killed on this machine, and those of another machine sharing the
 * folder (a container's) only once untouched for {@link BackupStorage#ABANDONED_AFTER}.
 */
public final class EncryptedSpool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EncryptedSpool.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] NO_ASSOCIATED_DATA = new byte[0];

  /** What the spool files are named for ({@link PartialFiles#beside}), in the temporary folder. */
  static final String NAME = "backy-spool";

  /** The names of older versions: {@code backy-spool-<pid>-<random>.tmp}, {@code -<random>.tmp}. */
  private static final Pattern LEGACY =
      Pattern.compile(Pattern.quote(NAME) + "-(?:[0-9]+-)?[0-9]+\\.tmp");

  private final Path file;
  private final byte[] key = new byte[PayloadEncryption.KEY_SIZE];
  private FileWriting fileStream;

  public EncryptedSpool() throws IOException {
    // read each time (Files.createTempFile without a folder keeps the value it saw first), so that
    // a changed java.io.tmpdir holds the new spools and is the folder cleared
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    removeAbandoned(dir);
    try {
      file = Files.createFile(PartialFiles.beside(dir.resolve(NAME)), OwnerOnly.file());
    } catch (IOException e) {
      throw new WriteFailed("cannot create a temporary file in " + dir, e);
    }
    RANDOM.nextBytes(key);
  }

  /**
   * Writing the spool failed: a full or missing temporary folder. Its message names the file or
   * folder and where it comes from, since the backup's own storage may have room to spare.
   */
  public static final class WriteFailed extends IOException {
    private static final long serialVersionUID = 1L;

    WriteFailed(String what, IOException cause) {
      super(
          what
              + ": "
              + reason(cause)
              + " (the temporary folder is java.io.tmpdir: -Djava.io.tmpdir=DIR in"
              + " BACKY_JAVA_OPTS moves it)",
          cause);
    }

    private static String reason(IOException e) {
      if (e instanceof java.nio.file.NoSuchFileException) {
        return "no such file or directory";
      }
      if (e instanceof java.nio.file.AccessDeniedException) {
        return "permission denied";
      }
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  /**
   * Deletes the spool files in {@code dir} that killed processes left ({@link
   * PartialFiles#removeAbandoned}): those of a process of this machine that no longer runs, and any
   * untouched for {@link BackupStorage#ABANDONED_AFTER}. A running spool, here or of another
   * machine sharing the folder, is kept. Best effort: nothing here fails a backup.
   */
  static void removeAbandoned(Path dir) {
    for (Path f : PartialFiles.removeAbandoned(dir.resolve(NAME), LEGACY)) {
      LOG.info("removed {}, the encrypted spool file of a process that was killed", f);
    }
  }

  /** Spools {@code content} to the file; returns its size in bytes (the plaintext's). */
  long write(InputStream content) throws IOException {
    try (OutputStream out = writer()) {
      return content.transferTo(out);
    }
  }

  /**
   * A stream that spools to the file (replacing what it held), encrypted; the content ends when the
   * stream is closed.
   */
  public OutputStream writer() throws IOException {
    closeFile();
    fileStream = new FileWriting();
    return PayloadEncryption.encrypting(fileStream, key, NO_ASSOCIATED_DATA);
  }

  /**
   * Closes the file's stream: the encrypting stream does not when writing its last segment fails (a
   * full disk), and an open descriptor would keep the deleted file's space taken until the process
   * ends, failing the service's next backups too.
   */
  private void closeFile() throws IOException {
    FileWriting f = fileStream;
    fileStream = null;
    if (f != null) {
      f.close();
    }
  }

  /** The spool file's stream, whose failures say that it was the temporary file that failed. */
  private final class FileWriting extends FilterOutputStream {
    FileWriting() throws IOException {
      super(Files.newOutputStream(file));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private WriteFailed failed(IOException e) {
      return new WriteFailed("writing the temporary file " + file + " failed", e);
    }
  }

  /** The spooled content, decrypted and authenticated as it is read; a new stream every call. */
  public InputStream reader() throws IOException {
    return PayloadEncryption.decrypting(Files.newInputStream(file), key, NO_ASSOCIATED_DATA);
  }

  /**
   * Copies the spooled content, decrypted and authenticated, to {@code out}. A changed or cut spool
   * file fails authentication (the streaming AEAD covers the length too).
   */
  void copyTo(OutputStream out) throws IOException {
    try (InputStream in = reader()) {
      in.transferTo(out);
    }
  }

  Path file() {
    return file;
  }

  /** Deletes the file and forgets the key. */
  @Override
  public void close() throws IOException {
    Arrays.fill(key, (byte) 0);
    try {
      closeFile();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
