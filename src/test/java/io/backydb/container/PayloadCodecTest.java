package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.PayloadCodec;
import io.backydb.codec.PayloadCodecs;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import io.backydb.format.BundleWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each codec turns a bundle into a payload and back into the same files, without a database. */
class PayloadCodecTest {

  static Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(
        "schema.sql",
        "CREATE TABLE t (id INT);\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    files.put("empty.sql", new byte[0]);
    byte[] big = new byte[(1 << 20) + 23];
    new Random(7).nextBytes(big);
    files.put("data.sql", big);
    files.put(
        "views.sql", "-- é 漢字\n".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return files;
  }

  static byte[] bundle(Map<String, byte[]> files) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BundleWriter w = new BundleWriter(out)) {
      for (var e : files.entrySet()) {
        try (OutputStream f = w.newFile(e.getKey())) {
          f.write(e.getValue());
        }
      }
      w.finish();
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void everyCodecRoundTripsEveryFile(CompressionType type) throws Exception {
    Map<String, byte[]> files = files();
    PayloadCodec codec = PayloadCodecs.of(type);
    Integer level = codec.level(null);
    long spoolsBefore = spools();
    byte[] payload;
    try (InputStream in =
        PayloadCodecs.compress(codec, level, new ByteArrayInputStream(bundle(files)))) {
      payload = in.readAllBytes();
    }
    assertThat(spools()).as("tar's spool files are deleted").isEqualTo(spoolsBefore);
    Map<String, byte[]> back = new LinkedHashMap<>();
    DumpInput input = codec.decode(new ByteArrayInputStream(payload));
    DumpInput.DumpFile f;
    while ((f = input.next()) != null) {
      back.put(f.name(), f.content().readAllBytes());
    }
    assertThat(back.keySet()).containsExactlyElementsOf(files.keySet());
    files.forEach((name, bytes) -> assertThat(back.get(name)).as(name).isEqualTo(bytes));
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZIP", "TAR", "ZSTD"})
  void outOfRangeLevelIsAConfigError(CompressionType type) {
    assertThatThrownBy(() -> PayloadCodecs.of(type).level(99))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("compression.compression_level 99")
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
  }

  @org.junit.jupiter.api.Test
  void zstdsLevelRangeIsTheLibrarys() {
    assertThat(CompressionType.ZSTD.maxLevel())
        .isEqualTo(com.github.luben.zstd.Zstd.maxCompressionLevel());
    assertThat(CompressionType.ZSTD.minLevel()).isEqualTo(1);
  }

  private static long spools() throws Exception {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("backy-tar-")).count();
    }
  }
}
