package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.codec.IntegrityKey;
import io.backydb.codec.IntegrityKeys;
import io.backydb.format.BackyContainerReader;
import io.backydb.format.BackyContainerWriter;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The container's framing on its own: header, payload, trailer, at sizes around its buffers. */
class BackyContainerTest {

  static byte[] frame(BackyHeader h, byte[] payload, IntegrityKey key) throws Exception {
    AtomicReference<byte[]> value = new AtomicReference<>();
    try (InputStream in =
        new BackyContainerWriter(h, new ByteArrayInputStream(payload), key, value::set)) {
      return in.readAllBytes();
    }
  }

  static byte[] read(byte[] file, IntegrityKey key) throws Exception {
    try (BackyContainerReader r =
        new BackyContainerReader(new ByteArrayInputStream(file), "test.backy", key)) {
      return r.payload().readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5, 23, 47, 48, 49, 65536, 65536 + 48, (1 << 20) + 23})
  void payloadOfEverySizeComesBack(int size) throws Exception {
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    BackyHeader h = new BackyHeader("id-" + size, Instant.now());
    IntegrityKey key = IntegrityKeys.checksum();
    h.integrity(key.params());
    byte[] file = frame(h, payload, key);
    assertThat(file.length).isEqualTo(h.bytes().length + size + BackyFormat.TRAILER_SIZE);
    assertThat(read(file, key)).isEqualTo(payload);
    assertThat(read(file, null)).isEqualTo(payload);
  }

  @Test
  void headerSectionsSurviveTheirBytes_includingTheEncryptionSection() throws Exception {
    BackyHeader h = new BackyHeader("the-id", Instant.parse("2026-11-26T10:00:00Z"));
    h.compression(new BackyHeader.Compression("zstd", 3));
    var enc = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    enc.put("suite", "AES256_GCM_HKDF_1MB").put("provider", "local").put("key_id", "k1");
    enc.putArray("wrapped_keys").add("AAAA");
    h.encryption(enc);
    h.integrity(IntegrityKeys.checksum().params());
    byte[] bytes = h.freeze();
    BackyHeader back = BackyFormat.readHeader(new ByteArrayInputStream(bytes), "test.backy");
    assertThat(back.bytes()).isEqualTo(bytes);
    assertThat(back.backupId()).isEqualTo("the-id");
    assertThat(back.compression()).isEqualTo(new BackyHeader.Compression("zstd", 3));
    assertThat(back.encryption()).isEqualTo(enc);
    assertThat(back.integrity()).isEqualTo(IntegrityKeys.checksum().params());
  }

  @Test
  void headerIsFrozenOnceWritten() {
    BackyHeader h = new BackyHeader("id", Instant.now());
    byte[] first = h.freeze();
    assertThatThrownBy(() -> h.compression(new BackyHeader.Compression("zstd", 3)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(h.bytes()).isEqualTo(first);
  }

  @Test
  void everyTruncationIsDetected() throws Exception {
    byte[] payload = new byte[1000];
    new Random(1).nextBytes(payload);
    BackyHeader h = new BackyHeader("id", Instant.now());
    byte[] file = frame(h, payload, null);
    for (int cut = h.bytes().length; cut < file.length; cut += 7) {
      byte[] cutFile = Arrays.copyOf(file, cut);
      assertThatThrownBy(() -> read(cutFile, null))
          .as("cut at %d", cut)
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void newerFormatVersionIsRefusedClearly() throws Exception {
    byte[] file = frame(new BackyHeader("id", Instant.now()), new byte[10], null);
    file[9] = 2;
    assertThatThrownBy(() -> read(file, null))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("written by a newer BackyDB (format 2)");
  }
}
