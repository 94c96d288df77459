package io.backydb.format;

import io.backydb.engine.DumpOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the payload of a {@code .backy} file: several named files framed into one stream (see
 * {@code docs/format.md}, "Bundle"). Files may be open at the same time and written from different
 * threads; each record is written whole under a lock, tagged with its file's id. The dump writes
 * one file at a time, though, and the format (and {@link BundleReader}) has files follow one
 * another: interleaved files are refused on reading. The stream ends with an END record: a bundle
 * without one was cut short.
 */
public final class BundleWriter implements DumpOutput, AutoCloseable {

  static final byte[] MAGIC = {'B', 'K', 'Y', 'B'};
  static final int VERSION = 1;
  static final int OPEN = 'F';
  static final int DATA = 'D';
  static final int CLOSE = 'C';
  static final int END = 'E';

  /** Largest data record; readers reject larger ones as corrupt. */
  static final int MAX_RECORD = 1 << 20;

  static final int MAX_NAME = 1024;

  private final DataOutputStream out;
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final AtomicLong contentBytes = new AtomicLong();
  private boolean finished;

  public BundleWriter(OutputStream out) throws IOException {
    this.out = new DataOutputStream(out);
    this.out.write(MAGIC);
    this.out.writeByte(VERSION);
  }

  @Override
  public OutputStream newFile(String name) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length == 0 || n.length > MAX_NAME) {
      throw new IllegalArgumentException("bad bundle file name length: " + n.length);
    }
    int id = nextId.getAndIncrement();
    synchronized (out) {
      out.writeByte(OPEN);
      out.writeInt(id);
      out.writeShort(n.length);
      out.write(n);
    }
    return new FileStream(id);
  }

  /** The bytes of the files' contents so far: the SQL, without the bundle's own records. */
  public long contentBytes() {
    return contentBytes.get();
  }

  /** Writes the END record. Every file must be closed first. */
  public void finish() throws IOException {
    synchronized (out) {
      out.writeByte(END);
      out.flush();
      finished = true;
    }
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      finish();
    }
  }

  private final class FileStream extends OutputStream {
    private final int id;
    private final byte[] buf = new byte[256 * 1024];
    private int len;
    private boolean closed;

    FileStream(int id) {
      this.id = id;
    }

    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        emit();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      while (n > 0) {
        if (len == buf.length) {
          emit();
        }
        int c = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, c);
        len += c;
        off += c;
        n -= c;
      }
    }

    private void emit() throws IOException {
      if (len == 0) {
        return;
      }
      synchronized (out) {
        out.writeByte(DATA);
        out.writeInt(id);
        out.writeInt(len);
        out.write(buf, 0, len);
      }
      contentBytes.addAndGet(len);
      len = 0;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      emit();
      synchronized (out) {
        out.writeByte(CLOSE);
        out.writeInt(id);
      }
    }
  }
}
