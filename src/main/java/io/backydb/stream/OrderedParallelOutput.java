package io.backydb.stream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks on several worker threads and writes what they produce to one stream, in task order,
 * as if they had run one after another. Workers take tasks in order; a worker that is ahead of the
 * writer hands over at most {@code bufferedBlocks + 1} blocks (plus the one it is filling; a block
 * is {@value #BLOCK_BYTES} bytes, or one bigger write) and then waits. Memory is therefore bounded
 * by workers × (buffered blocks + 2) blocks, whatever the tasks write, and the output is byte for
 * byte the sequential one.
 *
 * <p>No deadlock: the task the writer waits for has always been taken by a worker, because workers
 * take tasks in order and a worker only takes a new task after finishing its last one.
 */
public final class OrderedParallelOutput {

  /**
   * Work that writes its output to {@code out}; {@code worker} is the index of the thread (0 to
   * workers - 1), so that a task can use that worker's own resources (a connection, say).
   */
  @FunctionalInterface
  public interface Task {
    void run(int worker, OutputStream out) throws Exception;
  }

  /** Size at which a task's pending output is handed to the writer. */
  static final int BLOCK_BYTES = 256 * 1024;

  private static final byte[] END = new byte[0];

  private final int workers;
  private final int bufferedBlocks;
  private final String threadName;

  /**
   * @param workers worker threads (1 or more)
   * @param bufferedBlocks blocks of about {@value #BLOCK_BYTES} bytes a worker may hold ahead
   * @param threadName prefix of the worker threads' names
   */
  public OrderedParallelOutput(int workers, int bufferedBlocks, String threadName) {
    if (workers < 1 || bufferedBlocks < 1) {
      throw new IllegalArgumentException("workers and buffered blocks must be positive");
    }
    this.workers = workers;
    this.bufferedBlocks = bufferedBlocks;
    this.threadName = threadName;
  }

  /**
   * Runs every task and copies their output to {@code target} in order. The first failure, of a
   * task or of the target, stops the other workers and is thrown (an {@link Exception} a task threw
   * is rethrown as it is).
   */
  public void run(List<Task> tasks, OutputStream target) throws Exception {
    int n = tasks.size();
    List<BlockingQueue<byte[]>> channels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      channels.add(new ArrayBlockingQueue<>(bufferedBlocks + 1));
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < Math.min(workers, n); w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                  try {
                    ChannelStream out = new ChannelStream(channels.get(i), failure);
                    tasks.get(i).run(worker, out);
                    // only a task that succeeded is marked complete: a failed one has no END,
                    // so the writer can never take its partial output for the whole
                    out.finish();
                  } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    return;
                  }
                }
              },
              threadName + "-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    try {
      for (int i = 0; i < n; i++) {
        BlockingQueue<byte[]> channel = channels.get(i);
        while (true) {
          byte[] block = channel.poll(100, TimeUnit.MILLISECONDS);
          if (block == null) {
            if (failure.get() != null) {
              throw failure.get();
            }
            continue;
          }
          if (block == END) {
            channels.set(i, null);
            break;
          }
          target.write(block);
        }
      }
    } catch (Exception e) {
      failure.compareAndSet(null, e);
      throw failure.get();
    } finally {
      failure.compareAndSet(null, new IOException("cancelled"));
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  /** A task's output: blocks go to its channel; waits while the channel is full. */
  private static final class ChannelStream extends OutputStream {
    private final BlockingQueue<byte[]> channel;
    private final AtomicReference<Exception> failure;
    private byte[] buf = new byte[BLOCK_BYTES];
    private int len;

    ChannelStream(BlockingQueue<byte[]> channel, AtomicReference<Exception> failure) {
      this.channel = channel;
      this.failure = failure;
    }

    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        handOver();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      if (len > 0 && len + n > buf.length) {
        handOver();
      }
      if (n >= buf.length) {
        // a big write (a whole statement) goes over as its own block
        put(Arrays.copyOfRange(b, off, off + n));
        return;
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    private void handOver() throws IOException {
      if (len > 0) {
        put(Arrays.copyOf(buf, len));
        len = 0;
      }
    }

    private void put(byte[] block) throws IOException {
      try {
        while (!channel.offer(block, 100, TimeUnit.MILLISECONDS)) {
          if (failure.get() != null) {
            throw new IOException("stopped: another part of the work failed");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while handing over output");
      }
    }

    /** Closing is the runner's business ({@link #finish}): a task cannot mark itself complete. */
    @Override
    public void close() {}

    void finish() throws IOException {
      handOver();
      put(END);
    }
  }
}
