package io.backydb.storage;

import io.backydb.codec.EncryptedSpool;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * One part of a multipart upload while it is collected. S3 needs a part's length before its first
 * byte, and its parts grow with the object (at most 10,000 of them), so a part of a large backup
 * can be far bigger than the heap. A part that the JVM's {@link PartMemory} has room for is kept in
 * its 1 MiB blocks; any other in an {@link EncryptedSpool} (an owner-only temporary file, encrypted
 * with a key that exists only in this process), so memory stays bounded whatever the backup's size
 * and however many uploads run at once. A buffer holds one part: close it once the part is
 * uploaded, or its upload fails, to give its memory back or delete its file.
 */
abstract class PartBuffer implements Closeable {

  private static final String CONTENT_TYPE = "application/octet-stream";

  /**
   * A buffer for a part of {@code partSize} bytes: in memory if {@code memory} has room for all of
   * it now, else in a temporary file.
   */
  static PartBuffer forPart(long partSize, PartMemory memory) {
    return memory.tryReserve(partSize) ? new InMemory(memory, partSize) : new Spooled();
  }

  abstract void write(byte[] b, int off, int n) throws IOException;

  /** Bytes collected so far. */
  abstract long size();

  /** The collected bytes as a request body the SDK may read more than once (on retries). */
  abstract RequestBody body() throws IOException;

  /** Blocks of {@link PartMemory#BLOCK} bytes, taken from the budget as the part grows. */
  static final class InMemory extends PartBuffer {
    private final PartMemory memory;
    private final long partSize;
    private final List<byte[]> blocks = new ArrayList<>();
    private long size;
    private boolean closed;

    /** A buffer for a part of {@code partSize} bytes, which {@code memory} has reserved. */
    InMemory(PartMemory memory, long partSize) {
      this.memory = memory;
      this.partSize = partSize;
    }

    @Override
    void write(byte[] b, int off, int n) {
      if (closed) {
        throw new IllegalStateException("the part was closed: its memory is given back");
      }
      while (n > 0) {
        int block = (int) (size / PartMemory.BLOCK);
        int at = (int) (size % PartMemory.BLOCK);
        if (block == blocks.size()) {
          blocks.add(memory.block());
        }
        int take = Math.min(n, PartMemory.BLOCK - at);
        System.arraycopy(b, off, blocks.get(block), at, take);
        size += take;
        off += take;
        n -= take;
      }
    }

    @Override
    long size() {
      return size;
    }

    @Override
    RequestBody body() {
      long total = size;
      return RequestBody.fromContentProvider(
          () -> {
            List<InputStream> parts = new ArrayList<>();
            for (long done = 0; done < total; done += PartMemory.BLOCK) {
              int n = (int) Math.min(PartMemory.BLOCK, total - done);
              parts.add(
                  new ByteArrayInputStream(blocks.get((int) (done / PartMemory.BLOCK)), 0, n));
            }
            return new SequenceInputStream(Collections.enumeration(parts));
          },
          total,
          CONTENT_TYPE);
    }

    /** Gives the memory back to the budget; once, however often it is called. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        memory.release(partSize, List.copyOf(blocks));
        blocks.clear();
      }
    }
  }

  /** An encrypted temporary file, written as the part grows and read back for each attempt. */
  static final class Spooled extends PartBuffer {
    private EncryptedSpool spool;
    private OutputStream out;
    private long size;
    private final List<InputStream> opened = new ArrayList<>();

    @Override
    void write(byte[] b, int off, int n) throws IOException {
      if (out == null) {
        spool = new EncryptedSpool();
        out = spool.writer();
      }
      out.write(b, off, n);
      size += n;
    }

    @Override
    long size() {
      return size;
    }

    @Override
    RequestBody body() throws IOException {
      if (spool == null) {
        return RequestBody.empty();
      }
      if (out != null) {
        OutputStream o = out;
        out = null; // never closed twice, even if this close fails: close() deletes the file
        o.close(); // ends the spool's content
      }
      EncryptedSpool s = spool;
      return RequestBody.fromContentProvider(
          () -> {
            try {
              InputStream in = s.reader();
              opened.add(in);
              return in;
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          },
          size,
          CONTENT_TYPE);
    }

    /** Closes the streams and deletes the file, even when closing a stream fails. */
    @Override
    public void close() throws IOException {
      IOException failure = null;
      for (InputStream in : opened) {
        try {
          in.close();
        } catch (IOException e) {
          failure = e;
        }
      }
      opened.clear();
      OutputStream o = out;
      out = null;
      EncryptedSpool s = spool;
      spool = null;
      try {
        if (o != null) {
          o.close(); // writes the last segment: fails again on a full disk
        }
      } catch (IOException e) {
        failure = e;
      } finally {
        if (s != null) {
          s.close();
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
