package io.backydb.engine;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * The files of a dump, read back in the order they were written. Closing it releases what it reads
 * from (a file, an HTTP connection, a native decoder), also when the reading stopped half-way.
 */
public interface DumpInput extends Closeable {

  /**
   * One file of a dump; its stream ends where the file ends. Its name comes from the backup (a
   * bundle record, a zip or tar entry), so it is checked to be a plain file name: a name with a
   * path in it (say {@code ../../etc/x}) marks a forged backup, whatever later code does with it.
   */
  record DumpFile(String name, InputStream content) {
    public DumpFile {
      if (name == null
          || name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0
          || name.indexOf('\0') >= 0) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            "the backup holds a file named '" + name + "', which is not a plain file name");
      }
    }
  }

  /** The next file, or null when there are no more. */
  DumpFile next() throws IOException;

  @Override
  default void close() throws IOException {}
}
