package io.backydb.engine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where an engine writes a dump: one or more named SQL files ({@code dump.sql}, or {@code
 * tables.sql}, {@code data.sql}, ... in multiple-files mode). Each stream is closed by the engine
 * when that file is complete. Implementations may allow several files to be open at once, written
 * from different threads.
 */
public interface DumpOutput {
  OutputStream newFile(String name) throws IOException;
}
