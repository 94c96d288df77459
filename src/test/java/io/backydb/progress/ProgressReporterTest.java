package io.backydb.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
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
            "backup of shop: table orders 250,000/800,000 rows; total 250,000 rows, 50.0 MiB,"
                + " 5.0 MiB/s, about 25%, ETA 0:30");
  }

  @Test
  void unknownEstimatesShowNoEta() {
    AtomicLong now = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter("restore of shop", -1, now::get);
    p.tableStarted("t", -1);
    p.rows("t", 3, 300);
    now.set(1_000_000_000L);
    assertThat(p.status())
        .isEqualTo("restore of shop: table t 3 rows; total 3 rows, 0.0 MiB, 0.0 MiB/s");
  }
}
