package io.backydb.backup;

import io.backydb.storage.BackupStorage;
import io.backydb.storage.PendingWrite;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Replaces a committed object of a {@link BackupStorage} with new content, crash-safely, using only
 * the storage contract ({@link BackupStorage#create} refuses an existing name, so there is no
 * overwrite): the new content is committed under {@code NAME.replacing} first, then {@code NAME} is
 * deleted and written anew from it, then {@code NAME.replacing} is deleted. At every moment a
 * complete copy — old or new — exists under {@code NAME} or {@code NAME.replacing}; {@link
 * #recover} finishes a replacement that was interrupted (a copy under {@code NAME.replacing} with
 * no {@code NAME} is moved into place; one beside an existing {@code NAME} is dropped, since {@code
 * NAME} is then complete).
 */
public final class ObjectReplacer {

  /** Suffix of the temporary copy of an object being replaced. */
  public static final String SUFFIX = ".replacing";

  /** Writes an object's new content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private ObjectReplacer() {}

  /** Replaces {@code name} (which may or may not exist) with what {@code content} writes. */
  public static void replace(BackupStorage storage, String name, Content content)
      throws IOException {
    String temp = name + SUFFIX;
    if (storage.exists(temp)) {
      // a replacement of this object was interrupted; the object itself decides what is kept
      recoverOne(storage, temp);
    }
    write(storage, temp, content);
    storage.delete(name);
    write(
        storage,
        name,
        out -> {
          try (InputStream in = storage.open(temp)) {
            in.transferTo(out);
          }
        });
    storage.delete(temp);
  }

  /** Finishes every interrupted replacement in {@code storage}; returns how many there were. */
  public static int recover(BackupStorage storage) throws IOException {
    int n = 0;
    for (String temp : storage.list(SUFFIX)) {
      recoverOne(storage, temp);
      n++;
    }
    return n;
  }

  private static void recoverOne(BackupStorage storage, String temp) throws IOException {
    String name = temp.substring(0, temp.length() - SUFFIX.length());
    if (!storage.exists(name)) {
      write(
          storage,
          name,
          out -> {
            try (InputStream in = storage.open(temp)) {
              in.transferTo(out);
            }
          });
    }
    storage.delete(temp);
  }

  private static void write(BackupStorage storage, String name, Content content)
      throws IOException {
    try (PendingWrite w = storage.create(name)) {
      // the storage's commit flushes and closes the stream
      content.writeTo(w.stream());
      w.commit();
    }
  }
}
