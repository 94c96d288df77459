package io.backydb.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a push-style producer (a dumper, a compressor, an encrypting stream) on its own thread and
 * hands its output to the caller as an {@link InputStream}, through a bounded queue of chunks: at
 * most {@link #QUEUE_CHUNKS} × {@link #CHUNK_SIZE} bytes are in flight, whatever the size of the
 * backup.
 *
 * <p>Failures cross the pipe in both directions: if the producer throws, the reader's next read
 * throws an IOException caused by it; if the reader closes early (its own step failed), the
 * producer's next write throws, so it stops and releases its resources.
 */
public final class AsyncPipe<T> extends InputStream {

  /** Writes everything to {@code out} and returns a summary (or null). */
  @FunctionalInterface
  public interface Producer<T> {
    T writeTo(OutputStream out) throws Exception;
  }

  static final int CHUNK_SIZE = 64 * 1024;
  static final int QUEUE_CHUNKS = 16;
  private static final byte[] EOF = new byte[0];

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean readerClosed;
  private byte[] current = EOF;
  private int pos;
  private boolean eof;

  private AsyncPipe(String name, Producer<T> producer) {
    thread = new Thread(() -> run(producer), name);
    thread.setDaemon(true);
  }

  /** Starts {@code producer} on a new thread named {@code name}. */
  public static <T> AsyncPipe<T> start(String name, Producer<T> producer) {
    AsyncPipe<T> pipe = new AsyncPipe<>(name, producer);
    pipe.thread.start();
    return pipe;
  }

  /**
   * Waits up to {@code timeout} for the producer's thread to end, also on an interrupted thread (a
   * stop request interrupts the command, whose failure path then waits here; the interrupt is
   * kept). Returns whether it ended.
   */
  public boolean awaitProducer(java.time.Duration timeout) {
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (thread.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The producer's summary; completes when the producer has finished. */
  public CompletableFuture<T> result() {
    return result;
  }

  private void run(Producer<T> producer) {
    ChunkOutput out = new ChunkOutput();
    try {
      T value = producer.writeTo(out);
      out.flushChunk();
      put(EOF);
      result.complete(value);
    } catch (Throwable t) {
      result.completeExceptionally(t);
      // wake a reader blocked on an empty queue
      queue.clear();
      queue.offer(EOF);
    }
  }

  private void put(byte[] chunk) throws IOException {
    try {
      while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        if (readerClosed) {
          throw new IOException("the reading side of the pipe was closed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing to the pipe");
    }
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    while (pos >= current.length) {
      try {
        current = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading from the pipe");
      }
      pos = 0;
      if (current == EOF) {
        eof = true;
        checkFailure();
        // completed normally, so the reader sees a clean end only after a successful producer
        return false;
      }
    }
    return true;
  }

  private void checkFailure() throws IOException {
    try {
      result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new IOException(thread.getName() + " failed: " + io.getMessage(), io);
      }
      throw new IOException(thread.getName() + " failed: " + cause.getMessage(), cause);
    }
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return current[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  /**
   * Hands each chunk to {@code out} as it is, without the copy into a buffer of its own that {@link
   * InputStream#transferTo} makes: the compressor and the encrypting stream read a backup this way.
   * A chunk is never written to again once queued, so {@code out} may keep it.
   */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    long n = 0;
    while (fill()) {
      int len = current.length - pos;
      out.write(current, pos, len);
      pos = current.length;
      n += len;
    }
    return n;
  }

  @Override
  public int available() {
    return current.length - pos;
  }

  @Override
  public void close() {
    readerClosed = true;
    queue.clear();
  }

  private final class ChunkOutput extends OutputStream {
    private byte[] buf = new byte[CHUNK_SIZE];
    private int len;

    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        flushChunk();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      while (n > 0) {
        if (len == buf.length) {
          flushChunk();
        }
        int c = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, c);
        len += c;
        off += c;
        n -= c;
      }
    }

    void flushChunk() throws IOException {
      if (readerClosed) {
        throw new IOException("the reading side of the pipe was closed");
      }
      if (len > 0) {
        put(len == buf.length ? buf : java.util.Arrays.copyOf(buf, len));
        buf = new byte[CHUNK_SIZE];
        len = 0;
      }
    }

    @Override
    public void flush() {
      // chunks are handed over when full; flushing small pieces would only add overhead
    }
  }
}
