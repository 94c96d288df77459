package io.backydb.backup;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.IntegrityDigest;
import io.backydb.codec.IntegrityKey;
import io.backydb.engine.DumpInput;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BundleReader;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.PendingWrite;
import io.backydb.storage.WriteFailures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a backup stream in its storage, in the layout the seed defines: a raw SQL backup as one
 * {@code NAME.sql} (or a folder {@code NAME/} with one {@code .sql} per feature), anything
 * compressed or encrypted as one {@code NAME.backy}. Every object is written under a temporary name
 * and committed only once its stream ended cleanly; on failure everything this writer committed is
 * deleted again, so a failed backup leaves nothing behind. Once the backup's metadata sidecar is
 * committed the backup is complete ({@link #complete()}) and nothing rolls it back any more.
 */
public final class BackupWriter {

  private static final Logger LOG = LoggerFactory.getLogger(BackupWriter.class);

  private final BackupStorage storage;
  private final IntegrityKey integrity;
  private final List<String> committed = new ArrayList<>();
  private boolean complete;

  public BackupWriter(BackupStorage storage) {
    this(storage, null);
  }

  /**
   * @param integrity when not null, every stored object's HMAC or checksum is computed too ({@link
   *     BackupMetadata.StoredFile#integrity()}); used for plain SQL backups with integrity
   */
  public BackupWriter(BackupStorage storage, IntegrityKey integrity) {
    this.storage = storage;
    this.integrity = integrity;
  }

  /** Unpacks the dump's bundle into plain SQL files; returns what was stored. */
  public List<BackupMetadata.StoredFile> writeSql(
      String name, boolean multipleFiles, InputStream bundle) throws IOException {
    List<BackupMetadata.StoredFile> files = new ArrayList<>();
    BundleReader reader = new BundleReader(bundle);
    DumpInput.DumpFile f;
    while ((f = reader.next()) != null) {
      String object = multipleFiles ? name + "/" + f.name() : name + ".sql";
      files.add(write(object, f.content()));
    }
    return files;
  }

  /** Stores a stream as one object. */
  public BackupMetadata.StoredFile write(String object, InputStream in) throws IOException {
    MessageDigest sha = sha256();
    IntegrityDigest value = integrity == null ? null : integrity.newDigest();
    long bytes = 0;
    PendingWrite pending;
    try {
      pending = storage.create(object);
    } catch (IOException e) {
      throw storageFailure(object, e);
    }
    try (PendingWrite w = pending) {
      OutputStream out = new DigestOutputStream(w.stream(), sha);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        // the first read of a .backy file is its header: on the storage at once, it tells
        // keys retire which key wraps the backup still being written (KeyUsage)
        writeOrExplain(out, buf, n, object, bytes == 0);
        if (value != null) {
          value.update(buf, 0, n);
        }
        bytes += n;
      }
      try {
        out.flush();
        w.commit();
      } catch (IOException e) {
        throw storageFailure(object, e);
      }
      committed.add(object);
    }
    return new BackupMetadata.StoredFile(
        object,
        bytes,
        HexFormat.of().formatHex(sha.digest()),
        value == null ? null : HexFormat.of().formatHex(value.finish()));
  }

  /**
   * Marks the backup complete: its metadata sidecar is committed, so it is listed, and may already
   * have been counted by retention. From now on {@link #rollback()} deletes nothing, whatever fails
   * later in the exchange.
   */
  public synchronized void complete() {
    complete = true;
    committed.clear();
  }

  /**
   * Deletes everything this writer committed; used when a later step fails before the backup is
   * complete. Does nothing once {@link #complete()} was called.
   */
  public synchronized void rollback() {
    if (complete) {
      return;
    }
    for (String object : committed) {
      try {
        storage.delete(object);
      } catch (IOException | RuntimeException e) {
        // the backup fails anyway, for its own reason; without a metadata sidecar the leftover is
        // no backup (restore and list do not take it), but it takes space unseen: say where it is
        LOG.warn(
            "could not delete {} of the failed backup ({}); it is no backup (it has no metadata"
                + " sidecar): delete it",
            storage.location(object),
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      }
    }
    committed.clear();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private void writeOrExplain(OutputStream out, byte[] buf, int n, String object, boolean flush) {
    try {
      out.write(buf, 0, n);
      if (flush) {
        out.flush();
      }
    } catch (IOException e) {
      throw storageFailure(object, e);
    }
  }

  private BackyException storageFailure(String object, IOException e) {
    return storageFailure(storage, object, e);
  }

  /** A write to the storage failed (disk full, permissions, the S3 server gone): say where. */
  public static BackyException storageFailure(BackupStorage storage, String object, IOException e) {
    String why = WriteFailures.why(e);
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      why = "another backup took the name " + object + " in the same second; run it again";
    }
    return new BackyException(
        ErrorCode.STORAGE, "writing " + storage.location(object) + " failed: " + why, e);
  }
}
