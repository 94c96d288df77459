package io.backydb.engine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Learns a dump's {@link DumpContents} from its files' bytes while something else reads them: a
 * restore's verify pass, which reads the whole backup anyway, so that what the dump holds is known
 * before the apply pass runs its first statement, without a third read.
 */
public interface DumpScanner {

  /**
   * Where the bytes of the dump's next file go, in order; closing it ends the file. A dump that
   * cannot be read as one (a quote left open, a malformed directive) fails here, as a {@link
   * io.backydb.BackyException} of {@link io.backydb.ErrorCode#CORRUPT_BACKUP}.
   */
  OutputStream file(String name) throws IOException;

  /** What the files written so far hold. */
  DumpContents contents();
}
