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

  /** The size of a zip end of central directory record without a comment. */
  static final int ZIP_END_RECORD = 22;

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

  /**
   * Counts what is read through it, so that a reader's look-ahead can be told, and keeps the last
   * bytes read: where a zip's end records and central directory are.
   */
  static final class Counted extends FilterInputStream {
    private long count;
    // the last bytes read, a ring: byte i of the input is at i % tail.length
    private final byte[] tail;

    Counted(InputStream in, int keptTail) {
      super(in);
      this.tail = new byte[keptTail];
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        tail[(int) (count % tail.length)] = (byte) b;
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        // only the last tail.length bytes of a long read can stay
        int keep = Math.min(n, tail.length);
        long from = count + n - keep;
        int at = (int) (from % tail.length);
        int first = Math.min(keep, tail.length - at);
        System.arraycopy(b, off + n - keep, tail, at, first);
        System.arraycopy(b, off + n - keep + first, tail, 0, keep - first);
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // read, not skipped, so that the tail is known
      return Math.max(0, read(new byte[(int) Math.max(0, Math.min(n, 1 << 13))]));
    }

    /** The last bytes read, oldest first: all of them if fewer than were kept. */
    byte[] tail() {
      int size = (int) Math.min(count, tail.length);
      byte[] last = new byte[size];
      for (int i = 0; i < size; i++) {
        last[i] = tail[(int) ((count - size + i) % tail.length)];
      }
      return last;
    }

    /**
     * Whether what was read ended with a zip end of central directory record without a comment
     * (BackyDB writes none): an archive cut at an entry's start has none, and the zip reader takes
     * the end of its input for the end of the archive.
     */
    boolean endsWithZipEndRecord() {
      byte[] all = tail();
      if (all.length < ZIP_END_RECORD) {
        return false;
      }
      int e = all.length - ZIP_END_RECORD;
      return all[e] == 'P'
          && all[e + 1] == 'K'
          && all[e + 2] == 5
          && all[e + 3] == 6
          && all[e + 20] == 0
          && all[e + 21] == 0;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
