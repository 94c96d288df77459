package io.backydb.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ordered parallel output: tasks run on several threads, their output reaches the target in
 * task order, a worker far ahead waits, and a failure anywhere stops everything and is thrown.
 */
class OrderedParallelOutputTest {

  static final int BLOCK = OrderedParallelOutput.BLOCK_BYTES;

  /** One task's output and how it writes it: in pieces of the given sizes, cycled. */
  record Spec(int size, long seed, List<Integer> writeSizes, int spins) {
    byte[] bytes() {
      byte[] b = new byte[size];
      new Random(seed).nextBytes(b);
      return b;
    }
  }

  /** Writes {@code bytes} in pieces of the given sizes (single bytes through write(int)). */
  static void writeInPieces(OutputStream out, byte[] bytes, List<Integer> writeSizes)
      throws IOException {
    int k = 0;
    for (int off = 0; off < bytes.length; ) {
      int n = Math.min(writeSizes.get(k++ % writeSizes.size()), bytes.length - off);
      if (n == 1) {
        out.write(bytes[off]);
      } else {
        out.write(bytes, off, n);
      }
      off += n;
    }
  }

  @Provide
  Arbitrary<List<Spec>> specs() {
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.integers().between(0, 2_000)),
            Tuple.of(1, Arbitraries.integers().between(0, 3 * BLOCK + 17)));
    Arbitrary<Integer> writeSize =
        Arbitraries.oneOf(
            Arbitraries.just(1),
            Arbitraries.integers().between(2, 5_000),
            Arbitraries.of(BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK));
    return Combinators.combine(
            size,
            Arbitraries.longs(),
            writeSize.list().ofMinSize(1).ofMaxSize(4),
            Arbitraries.integers().between(0, 20_000))
        .as(Spec::new)
        .list()
        .ofMaxSize(40);
  }

  @Property(tries = 150)
  void theTargetReceivesTheSequentialConcatenation(
      @ForAll("specs") List<Spec> specs,
      @ForAll @IntRange(min = 1, max = 4) int workers,
      @ForAll @IntRange(min = 1, max = 3) int bufferedBlocks)
      throws Exception {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    List<byte[]> outputs = new ArrayList<>();
    for (Spec s : specs) {
      byte[] b = s.bytes();
      outputs.add(b);
      expected.write(b);
    }
    AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, specs.size()));
    Set<Integer> workerIndexes = ConcurrentHashMap.newKeySet();
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      int index = i;
      Spec s = specs.get(i);
      tasks.add(
          (worker, out) -> {
            runs.incrementAndGet(index);
            workerIndexes.add(worker);
            // a little work of varying length before writing, so tasks finish out of order
            for (int spin = 0; spin < s.spins(); spin++) {
              Thread.onSpinWait();
            }
            writeInPieces(out, outputs.get(index), s.writeSizes());
            out.close(); // a task closing its stream does not end its part early
          });
    }
    String prefix = uniquePrefix();
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    new OrderedParallelOutput(workers, bufferedBlocks, prefix).run(tasks, target);

    assertThat(target.toByteArray()).isEqualTo(expected.toByteArray());
    for (int i = 0; i < specs.size(); i++) {
      assertThat(runs.get(i)).as("runs of task %d", i).isOne();
    }
    assertThat(workerIndexes).allMatch(w -> w >= 0 && w < workers);
    assertThat(liveThreads(prefix)).isEmpty();
  }

  /**
   * Task 0 holds the writer (it writes nothing until released); task 1, on another worker, writes
   * block after block. It must come to a stop waiting for output space, having got rid of at most
   * {@code bufferedBlocks} blocks (the shared budget) plus what its own buffer holds: without a
   * bound it would write all of its output into memory.
   */
  @ParameterizedTest(name = "{0} buffered blocks, writes of {1} bytes")
  @CsvSource({"1, 262144", "3, 262144", "2, 1000", "1, 1"})
  @Timeout(60)
  void aWorkerFarAheadOfTheWriterWaits(int bufferedBlocks, int writeSize) throws Exception {
    int blocks = bufferedBlocks + 20;
    byte[] ahead = new Spec(blocks * BLOCK, 7, List.of(writeSize), 0).bytes();
    byte[] first = "task 0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong accepted = new AtomicLong();
    AtomicReference<Thread> aheadThread = new AtomicReference<>();
    List<OrderedParallelOutput.Task> tasks =
        List.of(
            (worker, out) -> {
              release.await();
              out.write(first);
            },
            (worker, out) -> {
              aheadThread.set(Thread.currentThread());
              for (int off = 0; off < ahead.length; off += writeSize) {
                int n = Math.min(writeSize, ahead.length - off);
                writeInPieces(out, Arrays.copyOfRange(ahead, off, off + n), List.of(n));
                accepted.addAndGet(n);
              }
            });
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    String prefix = uniquePrefix();
    CompletableFuture<Void> run =
        CompletableFuture.runAsync(
            () -> {
              try {
                new OrderedParallelOutput(2, bufferedBlocks, prefix).run(tasks, target);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      // wait until task 1 sits in the hand-over with its channel full, or has written everything
      while (!(blockedInHandOver(aheadThread.get()) || accepted.get() == ahead.length)) {
        Thread.onSpinWait();
      }
      long held = accepted.get();
      assertThat(held)
          .as("bytes task 1 got rid of while the writer waited for task 0")
          .isLessThanOrEqualTo((long) (bufferedBlocks + 2) * BLOCK)
          .isLessThan(ahead.length);
      assertThat(target.size()).as("nothing is written before task 0's output").isZero();
    } finally {
      release.countDown();
    }
    run.get(60, TimeUnit.SECONDS);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(first);
    expected.write(ahead);
    assertThat(target.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(liveThreads(prefix)).isEmpty();
  }

  /** Whether {@code t} waits, with a timeout, inside the hand-over of a block to a full channel. */
  private static boolean blockedInHandOver(Thread t) {
    if (t == null || t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    // it waits either for output space (the shared budget) or for room in its channel
    return Arrays.stream(t.getStackTrace())
        .anyMatch(
            f ->
                (f.getClassName().equals(OrderedParallelOutput.class.getName())
                        && f.getMethodName().equals("acquire"))
                    || (f.getClassName()
                            .equals(OrderedParallelOutput.class.getName() + "$ChannelStream")
                        && f.getMethodName().equals("put")));
  }

  /**
   * Task 2 fails after the other workers have started later tasks, which are stuck because the
   * writer waits for task 2. The failure is thrown as it is; the stuck tasks are stopped, none
   * finishes, no further task starts, nothing of task 2 or later reaches the target, and every
   * worker has ended when run() returns.
   */
  @Test
  @Timeout(60)
  void aFailingTaskStopsTheOthersAndIsThrown() throws Exception {
    int workers = 3;
    int n = 40;
    IllegalStateException boom = new IllegalStateException("boom");
    CountDownLatch laterStarted = new CountDownLatch(workers - 1);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    List<Throwable> laterEndings = java.util.Collections.synchronizedList(new ArrayList<>());
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      tasks.add(
          (worker, out) -> {
            if (index < 2) {
              out.write(filled(100, index));
              return;
            }
            if (index == 2) {
              out.write(filled(10, index)); // still in the task's buffer when it fails
              if (!laterStarted.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the later tasks did not start");
              }
              throw boom;
            }
            started.incrementAndGet();
            laterStarted.countDown();
            try {
              // more than the channel holds: stuck until the writer comes, which it never does
              for (int b = 0; b < 10; b++) {
                out.write(filled(BLOCK, index));
              }
            } catch (IOException | RuntimeException e) {
              laterEndings.add(e);
              throw e;
            }
            finished.incrementAndGet();
          });
    }
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    String prefix = uniquePrefix();
    assertThatThrownBy(() -> new OrderedParallelOutput(workers, 1, prefix).run(tasks, target))
        .isSameAs(boom);

    assertThat(liveThreads(prefix)).as("workers left running").isEmpty();
    assertThat(started.get()).as("later tasks started").isEqualTo(workers - 1);
    assertThat(finished.get()).as("later tasks finished").isZero();
    assertThat(laterEndings)
        .hasSize(workers - 1)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("another part of the work failed"));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(filled(100, 0));
    expected.write(filled(100, 1));
    assertThat(target.toByteArray()).isEqualTo(expected.toByteArray());
  }

  /** A task that fails on the only worker: the tasks after it never run. */
  @Test
  @Timeout(60)
  void onOneWorkerNoTaskRunsAfterAFailure() throws Exception {
    java.sql.SQLException failure = new java.sql.SQLException("lost connection");
    AtomicInteger ran = new AtomicInteger();
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int index = i;
      tasks.add(
          (worker, out) -> {
            ran.incrementAndGet();
            out.write(filled(BLOCK, index)); // a block of its own, handed over at once
            out.write(filled(5, index)); // buffered until the task ends
            if (index == 3) {
              throw failure;
            }
          });
    }
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    String prefix = uniquePrefix();
    assertThatThrownBy(() -> new OrderedParallelOutput(1, 2, prefix).run(tasks, target))
        .isSameAs(failure);
    assertThat(ran.get()).isEqualTo(4);
    assertThat(liveThreads(prefix)).isEmpty();
    // tasks 0 to 2 whole; of task 3 at most what it had handed over, never its end
    byte[] got = target.toByteArray();
    assertThat(got.length).isBetween(3 * (BLOCK + 5), 3 * (BLOCK + 5) + BLOCK);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isEqualTo((byte) (i / (BLOCK + 5)));
    }
  }

  @Test
  @Timeout(60)
  void anErrorInATaskFailsTheRunInsteadOfHangingIt() throws Exception {
    // an OutOfMemoryError on a huge row, say: an Error, not an Exception
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int index = i;
      tasks.add(
          (worker, out) -> {
            out.write(filled(5, index));
            if (index == 2) {
              throw oom;
            }
          });
    }
    String prefix = uniquePrefix();
    assertThatThrownBy(
            () -> new OrderedParallelOutput(2, 2, prefix).run(tasks, new ByteArrayOutputStream()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("OutOfMemoryError: Java heap space")
        .hasCause(oom);
    assertThat(liveThreads(prefix)).isEmpty();
  }

  /**
   * The target fails on its third write while every worker is stuck on a full channel: run() throws
   * the target's exception, the workers are stopped and joined, and no task beyond those the
   * workers could hold starts.
   */
  @Test
  @Timeout(60)
  void aFailingTargetStopsTheWorkers() throws Exception {
    int workers = 3;
    IOException diskFull = new IOException("disk full");
    AtomicInteger started = new AtomicInteger();
    List<Throwable> endings = java.util.Collections.synchronizedList(new ArrayList<>());
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      int index = i;
      tasks.add(
          (worker, out) -> {
            started.incrementAndGet();
            try {
              for (int b = 0; b < 4; b++) {
                out.write(filled(BLOCK, index));
              }
            } catch (IOException e) {
              endings.add(e);
              throw e;
            }
          });
    }
    AtomicInteger writes = new AtomicInteger();
    OutputStream target =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (writes.incrementAndGet() == 3) {
              throw diskFull;
            }
          }
        };
    String prefix = uniquePrefix();
    assertThatThrownBy(() -> new OrderedParallelOutput(workers, 1, prefix).run(tasks, target))
        .isSameAs(diskFull);

    assertThat(liveThreads(prefix)).as("workers left running").isEmpty();
    assertThat(writes.get()).as("no write after the failed one").isEqualTo(3);
    // tasks 1 and 2 can never finish (the writer never reached them); task 0 at most could, and
    // its worker then take task 3. How many had started when the target failed is up to the
    // scheduler: a worker that had not yet taken its first task takes none.
    assertThat(started.get()).isBetween(1, workers + 1);
    assertThat(endings)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e).hasMessageContaining("another part of the work failed"));
  }

  @Test
  void noTasksWriteNothing() throws Exception {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    new OrderedParallelOutput(3, 1, uniquePrefix()).run(List.of(), target);
    assertThat(target.size()).isZero();
  }

  @Test
  void refusesNoWorkersOrNoBuffer() {
    assertThatThrownBy(() -> new OrderedParallelOutput(0, 1, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OrderedParallelOutput(1, 0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] filled(int size, int value) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static String uniquePrefix() {
    return "opo-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static List<String> liveThreads(String prefix) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        names.add(t.getName());
      }
    }
    return names;
  }
}
