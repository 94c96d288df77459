package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The end of a {@code zip} or {@code tar} payload. The archive readers stop at the archive's own
 * end (zip's end of central directory record, tar's end-of-archive blocks, gzip's trailer) and
 * never read what follows it, so bytes put there would pass verification of a backup that has
 * neither integrity, encryption nor its sidecar. Once the last entry is read, the rest is read to
 * its end and must be empty (as a bundle's must after its END record, see {@link
 * PayloadCodecs#bundle}).
 */
final class ArchiveEnd {

  private ArchiveEnd() {}

  /**
   * Reads {@code rest} to its end; {@code readAhead} bytes past the archive's end were already
   * taken from it (a reader's look-ahead buffer).
   *
   * @throws BackyException ({@link ErrorCode#CORRUPT_BACKUP}) if anything was there
   */
  static void nothingAfter(String archive, InputStream rest, long readAhead) throws IOException {
    long extra = readAhead;
    byte[] buf = new byte[1 << 13];
    int n;
    while ((n = rest.read(buf)) >= 0) {
      extra += n;
    }
    if (extra > 0) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "the backup has "
              + extra
              + (extra == 1 ? " byte" : " bytes")
              + " after the end of its "
              + archive
              + " (damaged)");
    }
  }

  /** Counts what is read through it, so that a reader's look-ahead can be told. */
  static final class Counted extends FilterInputStream {
    private long count;

    Counted(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      count += Math.max(0, skipped);
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
