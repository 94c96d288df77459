package io.backydb.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An object being written. Write to {@link #stream()}, then {@link #commit()} to make it visible
 * under its name, or {@link #abort()} to throw it away. Closing without commit aborts.
 */
public interface PendingWrite extends AutoCloseable {

  OutputStream stream();

  /** Makes the object visible atomically; returns its location. */
  String commit() throws IOException;

  /** Discards whatever was written; never throws. */
  void abort();

  @Override
  default void close() {
    abort();
  }
}
