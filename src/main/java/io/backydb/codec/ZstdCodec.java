package io.backydb.codec;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code zstd}: the bundle stream as one zstd frame with a content checksum, compressed by zstd's
 * own worker threads (one per core, at most {@link #MAX_WORKERS}).
 */
final class ZstdCodec implements PayloadCodec {

  /**
   * Level 1, not zstd's own default of 3: on SQL dumps (rows of INSERT text) level 1 compresses
   * about twice as fast and, measured on Sakila and on the benchmark dataset, to a slightly smaller
   * file (709 vs 715 KB, 205 vs 212 MB); see docs/performance.md. XtraBackup defaults to 1 too.
   */
  static final int DEFAULT_LEVEL = 1;

  static final int MAX_WORKERS = 8;

  @Override
  public String type() {
    return "zstd";
  }

  @Override
  public Integer level(Integer configured) {
    int level = configured == null ? DEFAULT_LEVEL : configured;
    CompressionType.ZSTD.checkLevel(level);
    return level;
  }

  static int workers() {
    return Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public void encode(InputStream bundle, OutputStream out, Integer level) throws IOException {
    try (ZstdOutputStream z = new ZstdOutputStream(PayloadCodecs.keepOpen(out), level)) {
      z.setChecksum(true);
      int workers = workers();
      if (workers > 1) {
        z.setWorkers(workers);
      }
      bundle.transferTo(z);
    }
  }

  @Override
  public DumpInput decode(InputStream payload) throws IOException {
    return PayloadCodecs.bundle(new BufferedInputStream(new ZstdInputStream(payload), 1 << 16));
  }
}
