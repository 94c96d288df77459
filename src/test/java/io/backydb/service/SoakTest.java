package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short soak: the service runs a backup every second from the real routes folder; after a
 * warm-up, neither the heap retained after garbage collection nor the number of threads grows with
 * the number of backups. (The longer run for releases: {@code -Dbacky.soak.backups=600}, about ten
 * minutes; see docs/operations.md.)
 */
class SoakTest {

  static final int BACKUPS = Integer.getInteger("backy.soak.backups", 25);
  static final int WARM_UP = 5;

  @TempDir Path dir;
  ServiceFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void backupsEverySecondKeepMemoryAndThreadsFlat() throws Exception {
    Files.writeString(
        fx.routes.resolve("every-second.camel.yaml"),
        ServiceFixture.schedule("every-second", "* * * * * ?", fx.config));
    fx.start();
    Duration deadline = Duration.ofSeconds(BACKUPS * 4L + 30);

    await().atMost(deadline).until(() -> fx.backupCount() >= WARM_UP);
    long heapAfterWarmUp = retainedHeap();
    int threadsAfterWarmUp = Thread.activeCount();

    await().atMost(deadline).until(() -> fx.backupCount() >= BACKUPS);
    long heapAtEnd = retainedHeap();
    int threadsAtEnd = Thread.activeCount();

    assertThat(heapAtEnd - heapAfterWarmUp)
        .as("heap retained after GC grew from %d to %d bytes", heapAfterWarmUp, heapAtEnd)
        .isLessThan(16L << 20);
    // a backup in flight at either moment owns a few threads (dump, progress)
    assertThat(threadsAtEnd).isLessThanOrEqualTo(threadsAfterWarmUp + 4);
  }

  /** Used heap after a full collection, as low as three tries get it. */
  private static long retainedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      memory.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }
}
