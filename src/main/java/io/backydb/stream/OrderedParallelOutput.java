package io.backydb.stream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks on several worker threads and writes what they produce to one stream, in task order,
 * as if they had run one after another: the output is byte for byte the sequential one.
 *
 * <p>Workers take tasks in order. The task the writer is draining (the head) always goes on; the
 * others run ahead of the writer within a shared budget of {@code budgetBlocks} blocks of {@value
 * #BLOCK_BYTES} bytes, and wait when it is spent. Memory therefore stays bounded whatever the tasks
 * write (about three budgets at most: the budget, what the head writes beyond it up to a queue of
 * the same size, and the recycled blocks), and a worker ahead can finish whole tasks while the head
 * is written, as long as a task's output fits in the budget.
 *
 * <p>Blocks are recycled: the writer hands each one back once written. Output waiting in memory
 * lives long enough to survive young garbage collections; fresh buffers for every block would fill
 * the old generation and cost full collections that stop every thread.
 *
 * <p>No deadlock: the head task has always been taken by a worker (workers take tasks in order and
 * only take a new one after finishing their last), and the head never waits for the budget.
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

  /** Size of a block of output. */
  static final int BLOCK_BYTES = 256 * 1024;

  /** A filled block, or (without data) the end of a task's output. */
  private static final class Filled {
    final byte[] data;
    final int length;

    Filled(byte[] data, int length) {
      this.data = data;
      this.length = length;
    }

    boolean isEnd() {
      return data == null;
    }
  }

  private static final Filled END = new Filled(null, 0);

  private final int workers;
  private final int budgetBlocks;
  private final String threadName;

  // guarded by `lock`
  private final Object lock = new Object();
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private int outstanding;
  private volatile int head;

  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * @param workers worker threads (1 or more)
   * @param budgetBlocks blocks of {@value #BLOCK_BYTES} bytes the workers together may hold ahead
   *     of the writer
   * @param threadName prefix of the worker threads' names
   */
  public OrderedParallelOutput(int workers, int budgetBlocks, String threadName) {
    if (workers < 1 || budgetBlocks < 1) {
      throw new IllegalArgumentException("workers and buffered blocks must be positive");
    }
    this.workers = workers;
    this.budgetBlocks = budgetBlocks;
    this.threadName = threadName;
  }

  /**
   * Runs every task and copies their output to {@code target} in order. The first failure, of a
   * task or of the target, stops the other workers and is thrown (an {@link Exception} a task threw
   * is rethrown as it is). One instance runs once.
   */
  public void run(List<Task> tasks, OutputStream target) throws Exception {
    int n = tasks.size();
    List<BlockingQueue<Filled>> channels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      channels.add(new LinkedBlockingQueue<>(budgetBlocks + 1));
    }
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < Math.min(workers, n); w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                  try {
                    ChannelStream out = new ChannelStream(i, channels.get(i));
                    tasks.get(i).run(worker, out);
                    // only a task that succeeded is marked complete: a failed one has no END,
                    // so the writer can never take its partial output for the whole
                    out.finish();
                  } catch (Exception e) {
                    fail(e);
                    return;
                  } catch (Error e) {
                    // an OutOfMemoryError, say: without fail() the writer would wait for this
                    // task's output forever
                    fail(new IOException(Thread.currentThread().getName() + " failed: " + e, e));
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
        setHead(i);
        BlockingQueue<Filled> channel = channels.get(i);
        while (true) {
          Filled block = channel.poll(100, TimeUnit.MILLISECONDS);
          if (block == null) {
            if (failure.get() != null) {
              throw failure.get();
            }
            continue;
          }
          if (block.isEnd()) {
            channels.set(i, null);
            break;
          }
          target.write(block.data, 0, block.length);
          release(block.data);
        }
      }
    } catch (Exception e) {
      fail(e);
      throw failure.get();
    } finally {
      fail(new IOException("cancelled"));
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  private void fail(Exception e) {
    failure.compareAndSet(null, e);
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void setHead(int i) {
    synchronized (lock) {
      head = i;
      lock.notifyAll();
    }
  }

  /** A block for task {@code task}: waits while the budget is spent, unless it is the head. */
  private byte[] acquire(int task) throws IOException {
    synchronized (lock) {
      while (outstanding >= budgetBlocks && task != head) {
        if (failure.get() != null) {
          throw new IOException("stopped: another part of the work failed");
        }
        try {
          lock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for output space");
        }
      }
      if (failure.get() != null) {
        throw new IOException("stopped: another part of the work failed");
      }
      outstanding++;
      byte[] b = free.poll();
      return b != null ? b : new byte[BLOCK_BYTES];
    }
  }

  private void release(byte[] block) {
    synchronized (lock) {
      outstanding--;
      if (free.size() < budgetBlocks) {
        free.push(block);
      }
      lock.notifyAll();
    }
  }

  /** A task's output: blocks go to its channel. */
  private final class ChannelStream extends OutputStream {
    private final int task;
    private final BlockingQueue<Filled> channel;
    private byte[] buf;
    private int len;

    ChannelStream(int task, BlockingQueue<Filled> channel) {
      this.task = task;
      this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
      if (buf == null) {
        buf = acquire(task);
      }
      buf[len++] = (byte) b;
      if (len == BLOCK_BYTES) {
        handOver();
      }
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      while (n > 0) {
        if (buf == null) {
          buf = acquire(task);
        }
        int c = Math.min(n, BLOCK_BYTES - len);
        System.arraycopy(b, off, buf, len, c);
        len += c;
        off += c;
        n -= c;
        if (len == BLOCK_BYTES) {
          handOver();
        }
      }
    }

    private void handOver() throws IOException {
      if (buf != null) {
        put(new Filled(buf, len));
        buf = null;
        len = 0;
      }
    }

    /** Waits while the channel is full (the writer is behind on this very task). */
    private void put(Filled block) throws IOException {
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
