package io.backydb.format;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.engine.DumpInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a bundle written by {@link BundleWriter} file by file. This reader expects files one after
 * another; a bundle whose files interleave fails with a clear error. Anything malformed, and a
 * stream that ends before the END record, is reported as a corrupt backup.
 */
public final class BundleReader implements DumpInput {

  private final DataInputStream in;
  private FileStream current;
  private boolean ended;

  public BundleReader(InputStream in) throws IOException {
    this.in = new DataInputStream(in);
    byte[] magic = new byte[4];
    try {
      this.in.readFully(magic);
      if (!Arrays.equals(magic, BundleWriter.MAGIC)) {
        throw corrupt("not a BackyDB bundle (bad magic)");
      }
      int version = this.in.readUnsignedByte();
      if (version != BundleWriter.VERSION) {
        throw corrupt("bundle version " + version + " is not supported by this BackyDB");
      }
    } catch (EOFException e) {
      throw corrupt("backup content ends before its bundle header");
    }
  }

  private static BackyException corrupt(String msg) {
    return new BackyException(ErrorCode.CORRUPT_BACKUP, msg);
  }

  @Override
  public DumpFile next() throws IOException {
    if (current != null) {
      current.skipRest();
      current = null;
    }
    if (ended) {
      return null;
    }
    int type = readType();
    if (type == BundleWriter.END) {
      ended = true;
      return null;
    }
    if (type != BundleWriter.OPEN) {
      throw corrupt("bundle record '" + (char) type + "' where a file should start");
    }
    try {
      int id = in.readInt();
      int nameLen = in.readUnsignedShort();
      if (nameLen == 0 || nameLen > BundleWriter.MAX_NAME) {
        throw corrupt("bundle file name of length " + nameLen);
      }
      byte[] name = new byte[nameLen];
      in.readFully(name);
      current = new FileStream(id);
      return new DumpFile(new String(name, StandardCharsets.UTF_8), current);
    } catch (EOFException e) {
      throw corrupt("backup content is truncated");
    }
  }

  private int readType() throws IOException {
    int t = in.read();
    if (t < 0) {
      throw corrupt("backup content is truncated (no end marker)");
    }
    return t;
  }

  private final class FileStream extends InputStream {
    private final int id;
    private int remaining;
    private boolean done;

    FileStream(int id) {
      this.id = id;
    }

    private boolean advance() throws IOException {
      while (remaining == 0) {
        if (done) {
          return false;
        }
        int type = readType();
        try {
          int rid = in.readInt();
          if (rid != id) {
            throw corrupt("bundle files interleave (file " + rid + " inside file " + id + ")");
          }
          if (type == BundleWriter.CLOSE) {
            done = true;
            return false;
          }
          if (type != BundleWriter.DATA) {
            throw corrupt("unexpected bundle record '" + (char) type + "'");
          }
          remaining = in.readInt();
          if (remaining <= 0 || remaining > BundleWriter.MAX_RECORD) {
            throw corrupt("bundle data record of length " + remaining);
          }
        } catch (EOFException e) {
          throw corrupt("backup content is truncated");
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      if (!advance()) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw corrupt("backup content is truncated");
      }
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!advance()) {
        return -1;
      }
      int n = in.read(b, off, Math.min(len, remaining));
      if (n < 0) {
        throw corrupt("backup content is truncated");
      }
      remaining -= n;
      return n;
    }

    void skipRest() throws IOException {
      byte[] skip = new byte[8192];
      while (read(skip, 0, skip.length) >= 0) {
        // drain
      }
    }
  }
}
