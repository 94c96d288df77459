package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static io.backydb.keys.LocalKeystoreProviderTest.keystore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a data key overwrites its plaintext bytes, and a closed key is never used again. */
class DataKeyTest {

  @TempDir Path tmp;

  @Test
  void closing_overwritesTheKey_andAClosedKeyRefusesToBeUsed() {
    DataKey k;
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      k = ks.newDataKey("b1");
    }
    byte[] copy;
    try (k) {
      assertThat(k.isDestroyed()).isFalse();
      copy = k.key();
      assertThat(copy).hasSize(DataKey.SIZE_BYTES).isNotEqualTo(new byte[DataKey.SIZE_BYTES]);
    }
    assertThat(k.isDestroyed()).as("every byte of the key is zero").isTrue();
    assertThatThrownBy(k::key)
        .as("the zeros left must never encrypt or decrypt anything")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was destroyed");
    assertThat(copy)
        .as("a copy handed out is the caller's to overwrite")
        .isNotEqualTo(new byte[32]);
  }

  @Test
  void theKeyIsCopiedIn_soTheCallerCanOverwriteItsArray() {
    byte[] raw = LocalKeystoreProviderTest.dek();
    byte[] expected = raw.clone();
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD);
        DataKey k = new DataKey(raw, ks.wrap(raw, "b1"))) {
      java.util.Arrays.fill(raw, (byte) 0);
      assertThat(k.isDestroyed()).isFalse();
      assertThat(k.key()).isEqualTo(expected);
    }
  }
}
