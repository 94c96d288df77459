package io.backydb.engine;

import java.io.IOException;
import java.io.InputStream;

/** The files of a dump, read back in the order they were written. */
public interface DumpInput {

  /** One file of a dump; its stream ends where the file ends. */
  record DumpFile(String name, InputStream content) {}

  /** The next file, or null when there are no more. */
  DumpFile next() throws IOException;
}
