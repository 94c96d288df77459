package io.backydb.format;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.IntegrityDigest;
import io.backydb.codec.IntegrityKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a {@code .backy} file as a stream: the header first, then {@link #payload()}, which holds
 * back the last 48 bytes (the trailer) and checks the trailer when the payload ends — end marker,
 * payload length and, given an {@link IntegrityKey}, the integrity value in constant time. Any
 * problem is a one-line {@link ErrorCode#CORRUPT_BACKUP} error, also kept in {@link #problem()}.
 *
 * <p>Reads are synchronized, so one thread may drain what a decoder on another left unread.
 */
public final class BackyContainerReader implements AutoCloseable {

  private final InputStream raw;
  private final BackyHeader header;
  private final String where;
  private final IntegrityDigest digest;
  private final byte[] buf = new byte[(1 << 16) + BackyFormat.TRAILER_SIZE];
  private int start;
  private int end;
  private boolean rawEof;
  private long payloadLength;
  private boolean finished;
  private BackyException problem;
  private byte[] value;
  private final Payload payload = new Payload();

  /**
   * @param key checks the integrity value; null checks only the end marker and length
   */
  public BackyContainerReader(InputStream raw, String where, IntegrityKey key) throws IOException {
    this.raw = raw;
    this.where = where;
    this.header = BackyFormat.readHeader(raw, where);
    this.digest = key == null ? null : key.newDigest();
    if (digest != null) {
      byte[] h = header.authenticatedBytes();
      digest.update(h, 0, h.length);
    }
  }

  public BackyHeader header() {
    return header;
  }

  /** The payload bytes; its end checks the trailer. */
  public InputStream payload() {
    return payload;
  }

  /** Reads whatever of the payload is left and checks the trailer; throws if anything is wrong. */
  public synchronized void drain() throws IOException {
    byte[] skip = new byte[1 << 16];
    while (payload.read(skip, 0, skip.length) >= 0) {
      // discard
    }
  }

  /** The trailer problem found, or null (also null while the payload has not ended). */
  public synchronized BackyException problem() {
    return problem;
  }

  /** The integrity value the trailer holds (after the payload ended), or null. */
  public synchronized byte[] storedValue() {
    return value == null ? null : value.clone();
  }

  public synchronized long payloadLength() {
    return payloadLength;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }

  /** Payload bytes ready to hand out: everything but the last TRAILER_SIZE bytes seen. */
  private int payloadReady() throws IOException {
    while (!rawEof && end - start <= BackyFormat.TRAILER_SIZE) {
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
      }
      int n = raw.read(buf, end, buf.length - end);
      if (n < 0) {
        rawEof = true;
      } else {
        end += n;
      }
    }
    return Math.max(0, end - start - BackyFormat.TRAILER_SIZE);
  }

  private void finish() {
    if (finished) {
      if (problem != null) {
        throw problem;
      }
      return;
    }
    finished = true;
    int left = end - start;
    if (left < BackyFormat.TRAILER_SIZE) {
      throw fail(where + " is truncated: it ends without the .backy trailer");
    }
    ByteBuffer t = ByteBuffer.wrap(buf, start, BackyFormat.TRAILER_SIZE);
    byte[] marker = new byte[BackyFormat.END_MARKER.length];
    t.get(marker);
    long length = t.getLong();
    byte[] stored = new byte[BackyFormat.INTEGRITY_VALUE_SIZE];
    t.get(stored);
    if (!Arrays.equals(marker, BackyFormat.END_MARKER)) {
      throw fail(where + " is truncated or damaged: it does not end with the .backy end marker");
    }
    if (length != payloadLength) {
      throw fail(
          where
              + " is truncated or damaged: its trailer records "
              + length
              + " payload bytes, the file has "
              + payloadLength);
    }
    value = stored;
    if (digest != null && !IntegrityKey.matches(stored, digest.finish())) {
      throw fail(
          header.integrity() != null && header.integrity().isHmac()
              ? where
                  + " failed its integrity check: the HMAC does not match (the file was changed or"
                  + " damaged)"
              : where
                  + " failed its integrity check: the SHA-256 checksum does not match (damaged)");
    }
  }

  private BackyException fail(String message) {
    problem = new BackyException(ErrorCode.CORRUPT_BACKUP, message);
    return problem;
  }

  private final class Payload extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      synchronized (BackyContainerReader.this) {
        if (len == 0) {
          return 0;
        }
        if (finished) {
          finish();
          return -1;
        }
        int avail = payloadReady();
        if (avail == 0) {
          finish();
          return -1;
        }
        int n = Math.min(avail, len);
        System.arraycopy(buf, start, b, off, n);
        if (digest != null) {
          digest.update(buf, start, n);
        }
        start += n;
        payloadLength += n;
        return n;
      }
    }

    /** Leaves the file open: decoders close their input, the trailer may still be unread. */
    @Override
    public void close() {
      // closed with the reader
    }
  }
}
