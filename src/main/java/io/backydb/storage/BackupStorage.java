package io.backydb.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where backups are kept. The contract every storage keeps (and {@code StorageContractTest}
 * checks):
 *
 * <ul>
 *   <li>{@link #create} streams: nothing is visible under the name until {@link
 *       PendingWrite#commit} succeeds, and {@link PendingWrite#abort} (or a failed commit) leaves
 *       nothing behind.
 *   <li>Names are relative, '/'-separated keys such as {@code shop_20261126T101500Z.sql} or {@code
 *       shop_20261126T101500Z/data.sql}; a name never escapes the storage root.
 *   <li>Objects are readable by their owner only where the storage has permissions.
 * </ul>
 */
public interface BackupStorage {

  /**
   * How long nothing may have been written to an unfinished write (a local temporary file of
   * another machine, a backup folder without its sidecar) before BackyDB takes it for abandoned and
   * removes it. A running backup writes every few seconds, and the server itself ends a read that
   * has stalled for an hour ({@code net_write_timeout}); a day is far beyond both.
   */
  Duration ABANDONED_AFTER = Duration.ofHours(24);

  /**
   * Checks, before a backup starts, what the storage can learn cheaply about a destination no
   * backup could be written to (an S3 bucket that does not exist, a local folder that cannot be
   * written), and throws the one-line error the first write would give. It never refuses a
   * destination it cannot be sure of: what it cannot tell is left to the writes. Nothing it writes
   * is left behind.
   */
  default void checkDestination() {}

  /**
   * Starts writing the object {@code name}; fails if it already exists. Its {@link
   * PendingWrite#commit()} fails too ({@link java.nio.file.FileAlreadyExistsException}) if another
   * writer committed the name meanwhile: an existing object is never replaced.
   */
  PendingWrite create(String name) throws IOException;

  /**
   * Opens a committed object for reading; {@link java.nio.file.NoSuchFileException} if there is
   * none (never written, or deleted meanwhile).
   */
  InputStream open(String name) throws IOException;

  /**
   * The identity of the bytes {@code name} holds now (S3: its ETag, or where the server sends none,
   * the write id BackyDB stored with it, its Last-Modified and length, see {@code
   * S3ObjectIdentity}; a local file: its file key, size and modification time), for {@link
   * #open(String, String)}; never null. {@link java.nio.file.NoSuchFileException} if there is no
   * such object; a one-line error if the storage cannot tell the object's bytes apart from a
   * replacement's.
   */
  String version(String name) throws IOException;

  /**
   * Opens {@code name} if it still holds the bytes of {@code version}, else throws {@link
   * ChangedObjectException}. A restore reads a backup twice (to verify it, then to apply it): both
   * reads are of the version taken first, so that what is applied is what was verified, whatever
   * replaces the object meanwhile.
   */
  InputStream open(String name, String version) throws IOException;

  boolean exists(String name) throws IOException;

  /** Size in bytes of a committed object. */
  long size(String name) throws IOException;

  /** Names of all committed objects whose name ends with {@code suffix}, in no set order. */
  List<String> list(String suffix) throws IOException;

  /**
   * When anything was last written under the folder {@code folder} (a name such as {@code
   * shop_20261126T101500Z}, whose objects are {@code folder/...}): its committed objects, and the
   * writes into it that are not committed yet as far as the storage can see them (a local temporary
   * file, an S3 multipart upload's parts; an S3 write smaller than one part is not on the server
   * until its commit). Null if there is nothing under it. What changes while it looks counts as
   * written now.
   */
  Instant lastWriteUnder(String folder) throws IOException;

  /**
   * When the committed object {@code name} was last written, or null if there is none: a file's
   * modification time; an S3 object's Last-Modified (when it was stored: AWS may give the start of
   * an upload in parts instead of its end).
   */
  Instant lastModified(String name) throws IOException;

  /** Deletes an object if it exists; idempotent. */
  void delete(String name) throws IOException;

  /**
   * Deletes the temporary files of writes that were abandoned (a killed backup's), with a folder
   * they leave empty; returns how many. Nothing to do where an unfinished write is no object at all
   * (S3: an unfinished multipart upload, which a bucket lifecycle rule removes).
   */
  default int cleanPartials() throws IOException {
    return 0;
  }

  /**
   * The names of the objects that a backup still running is writing now, each once; they are not in
   * {@link #list} until their write is committed. Locally: the targets of the temporary files of
   * processes that run, or of another machine's written to within {@link #ABANDONED_AFTER} ({@link
   * PartialFiles}). On S3: the keys of the unfinished multipart uploads whose last activity (their
   * start, or their newest part) is within {@link #ABANDONED_AFTER}; an object smaller than one
   * part is sent whole on its commit and is not seen before.
   */
  default List<String> beingWritten() throws IOException {
    return List.of();
  }

  /**
   * What the unfinished write of {@code name} ({@link #beingWritten}) has written so far, from its
   * first byte: a {@code .backy} file's header, once written, tells which keys wrap its data key.
   * Null where the storage cannot read an unfinished write (S3: the parts of a multipart upload
   * cannot be read before it is completed), or where several writes of the name run and it cannot
   * tell which will be committed. {@link java.nio.file.NoSuchFileException} if no write of the name
   * runs (any more: it was committed or abandoned meanwhile).
   */
  default InputStream openBeingWritten(String name) throws IOException {
    return null;
  }

  /** How a user sees the object: an absolute path, or a URI such as {@code s3://bucket/key}. */
  String location(String name);

  /**
   * The object name for a location as {@link #location} prints it (or a name relative to this
   * storage), or null if the location is not in this storage.
   */
  String nameOf(String location);
}
