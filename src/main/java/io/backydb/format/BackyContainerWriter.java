package io.backydb.format;

import io.backydb.codec.IntegrityDigest;
import io.backydb.codec.IntegrityKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Frames a payload stream into a {@code .backy} file, pull-style: reading the returned stream
 * yields the frozen header, the payload as it arrives, then the 48-byte trailer (end marker,
 * payload length, integrity value). Nothing is buffered beyond one read.
 */
public final class BackyContainerWriter extends InputStream {

  private enum Phase {
    HEADER,
    PAYLOAD,
    TRAILER,
    DONE
  }

  private final byte[] header;
  private final InputStream payload;
  private final IntegrityDigest digest;
  private final Consumer<byte[]> onValue;
  private Phase phase = Phase.HEADER;
  private byte[] current;
  private int pos;
  private long payloadLength;

  /**
   * @param header the header (frozen here if it is not already)
   * @param payload the compressed and/or encrypted payload
   * @param key the integrity key, or null for a backup without integrity (zeros in the trailer)
   * @param onValue receives the integrity value once the payload has ended (not called without
   *     integrity)
   */
  public BackyContainerWriter(
      BackyHeader header, InputStream payload, IntegrityKey key, Consumer<byte[]> onValue) {
    this.header = header.freeze();
    this.payload = payload;
    this.digest = key == null ? null : key.newDigest();
    this.onValue = onValue;
    this.current = this.header;
    if (digest != null) {
      byte[] authenticated = header.authenticatedBytes();
      digest.update(authenticated, 0, authenticated.length);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      switch (phase) {
        case HEADER, TRAILER -> {
          if (pos < current.length) {
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
          }
          phase = phase == Phase.HEADER ? Phase.PAYLOAD : Phase.DONE;
        }
        case PAYLOAD -> {
          int n = payload.read(b, off, len);
          if (n > 0) {
            if (digest != null) {
              digest.update(b, off, n);
            }
            payloadLength += n;
            return n;
          }
          if (n < 0) {
            current = trailer();
            pos = 0;
            phase = Phase.TRAILER;
          }
        }
        case DONE -> {
          return -1;
        }
      }
    }
  }

  private byte[] trailer() {
    byte[] value = new byte[BackyFormat.INTEGRITY_VALUE_SIZE];
    if (digest != null) {
      value = digest.finish();
      if (onValue != null) {
        onValue.accept(value.clone());
      }
    }
    return ByteBuffer.allocate(BackyFormat.TRAILER_SIZE)
        .put(BackyFormat.END_MARKER)
        .putLong(payloadLength)
        .put(value)
        .array();
  }

  @Override
  public void close() throws IOException {
    payload.close();
  }
}
