package io.backydb.container;

import io.backydb.codec.PayloadCodec;
import io.backydb.codec.PayloadCodecs;
import io.backydb.config.CompressionType;
import io.backydb.format.BundleWriter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compression benchmark behind the README table: java -cp target/classes:target/test-classes:DEPS
 * io.backydb.container.CodecBenchmark FILE.sql TIMES. Each codec at its default level, and zstd at
 * level 3 too (zstd's own default) for comparison.
 */
public final class CodecBenchmark {
  private CodecBenchmark() {}

  public static void main(String[] a) throws Exception {
    // a bundle of the file given, repeated N times (as one dump.sql)
    Path sql = Path.of(a[0]);
    int times = Integer.parseInt(a[1]);
    Path bundle = Files.createTempFile("backy-bench", ".bundle");
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(bundle));
        BundleWriter w = new BundleWriter(o)) {
      try (OutputStream f = w.newFile("dump.sql")) {
        for (int i = 0; i < times; i++) Files.copy(sql, f);
      }
      w.finish();
    }
    long size = Files.size(bundle);
    bundle.toFile().deleteOnExit();
    System.out.printf(
        "input %.1f MB, %d cores%n", size / 1e6, Runtime.getRuntime().availableProcessors());
    // codec and level; null is the codec's default
    String[] codecs = {"zip", "tar", "zstd", "zstd"};
    Integer[] levels = {null, null, null, 3};
    for (int k = 0; k < codecs.length; k++) {
      String t = codecs[k];
      for (int rep = 0; rep < 2; rep++) {
        PayloadCodec c = PayloadCodecs.of(CompressionType.ofKey(t));
        Integer level = c.level(levels[k]);
        long t0 = System.nanoTime();
        long out;
        try (InputStream in =
            PayloadCodecs.compress(
                c, level, new BufferedInputStream(Files.newInputStream(bundle)))) {
          out = in.transferTo(OutputStream.nullOutputStream());
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (rep == 1)
          System.out.printf(
              "%-5s level %s: %.1f MB -> %.1f MB (%.1f%%), %.2f s, %.0f MB/s%n",
              t, level, size / 1e6, out / 1e6, 100.0 * out / size, s, size / 1e6 / s);
      }
    }
  }
}
