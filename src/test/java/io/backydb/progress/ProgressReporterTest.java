package io.backydb.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  @Test
  void statusShowsTableRowsBytesRateAndEta() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("backup of shop", 1_000_000, now::get);
    p.tableStarted("orders", 800_000);
    p.rows("orders", 250_000, 50L << 20);
    now.set(10_000_000_000L); // 10 s later
    assertThat(p.status())
        .isEqualTo(
            "backup of shop: table orders 250,000/800,000 rows, 50.0 MiB; total 250,000 rows,"
                + " 50.0 MiB, 5.0 MiB/s, about 25%, ETA 0:30");
  }

  @Test
  void tablesReadAtOnceAreCountedApart() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("backup of shop", 1_000, now::get);
    p.tableStarted("big", 800);
    p.rows("big", 300, 3000);
    p.tableStarted("small", 50);
    p.rows("big", 100, 1000);
    p.rows("small", 20, 200);
    now.set(1_000_000_000L);
    assertThat(p.status())
        .startsWith("backup of shop: table small 20/50 rows, 0.0 MiB; total 420 rows");
    p.rows("big", 100, 1000);
    assertThat(p.status())
        .startsWith("backup of shop: table big 500/800 rows, 0.0 MiB; total 520 rows");
    p.tableFinished("big");
    assertThat(p.status())
        .as("a finished table is not shown")
        .startsWith("backup of shop: total 520 rows");
    p.rows("small", 30, 300);
    assertThat(p.status())
        .startsWith("backup of shop: table small 50/50 rows, 0.0 MiB; total 550 rows");
    p.rows("small", 5, 50);
    assertThat(p.status())
        .as("past the server's estimate, the estimate is not shown")
        .startsWith("backup of shop: table small 55 rows, 0.0 MiB; total 555 rows");
  }

  @Test
  void anIndexBuildIsShownWhileItRuns() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("restore of shop", 100, now::get);
    p.tableStarted("orders", 100);
    p.rows("orders", 100, 1 << 20);
    p.indexesStarted("orders");
    p.indexesStarted("lines");
    now.set(1_000_000_000L);
    assertThat(p.status())
        .isEqualTo(
            "restore of shop: table orders 100/100 rows, 1.0 MiB; total 100 rows, 1.0 MiB, 1.0 MiB/s;"
                + " building the indexes of lines, orders");
    p.indexesFinished("lines");
    p.indexesFinished("orders");
    assertThat(p.status()).doesNotContain("building");
  }

  @Test
  void unknownEstimatesShowNoEta() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("restore of shop", -1, now::get);
    p.tableStarted("t", -1);
    p.rows("t", 3, 300);
    now.set(1_000_000_000L);
    assertThat(p.status())
        .isEqualTo("restore of shop: table t 3 rows, 0.0 MiB; total 3 rows, 0.0 MiB, 0.0 MiB/s");
  }

  @Test
  void aWaitIsShownInsteadOfTheEtaOnlyOnceNoProgressWasMadeForAWhile() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("restore of shop", 100, now::get);
    AtomicReference<String> waiting = new AtomicReference<>("waiting for table metadata lock");
    AtomicInteger asked = new AtomicInteger();
    p.waitProbe(
        () -> {
          asked.incrementAndGet();
          return waiting.get();
        });
    p.tableStarted("t", 100);
    p.rows("t", 10, 1 << 20);
    now.set(4_000_000_000L);
    assertThat(p.status()).endsWith("ETA 0:36");
    assertThat(asked).as("not asked before 5 s without progress").hasValue(0);
    now.set(5_000_000_000L);
    assertThat(p.status())
        .isEqualTo(
            "restore of shop: table t 10/100 rows, 1.0 MiB; total 10 rows, 1.0 MiB, 0.2 MiB/s; no"
                + " progress for 5 s: waiting for table metadata lock");
    waiting.set(null); // slow, but not waiting
    assertThat(p.status()).endsWith("ETA 0:45");
    waiting.set("waiting for table metadata lock");
    p.rows("t", 10, 1 << 20);
    assertThat(p.status()).as("progress again").endsWith("ETA 0:20");
    now.set(20_000_000_000L);
    p.waitProbe(null);
    assertThat(p.status()).as("the work no longer asked about").contains("ETA");
  }
}
