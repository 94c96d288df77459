package io.backydb.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WrappedKeyTest {

  static final WrappedKey KEY =
      new WrappedKey(
          "local",
          "0123456789abcdef",
          WrappedKey.RSA_OAEP_SHA256,
          new byte[] {1, 2, 3, 4},
          Map.of("backup_id", "b1"));

  @Test
  void jsonForm_roundTrips() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(KEY.toMap());
    assertThat(text)
        .isEqualTo(
            "{\"provider\":\"local\",\"key_id\":\"0123456789abcdef\",\"algorithm\":\"RSA-OAEP-SHA256\","
                + "\"wrapped_key\":\"AQIDBA==\",\"context\":{\"backup_id\":\"b1\"}}");
    assertThat(WrappedKey.fromMap(json.readValue(text, Map.class))).isEqualTo(KEY);
  }

  @Test
  void wrappedBytes_areCopiedInAndOut() {
    byte[] bytes = KEY.wrapped();
    bytes[0] = 9;
    assertThat(KEY.wrapped()[0]).isEqualTo((byte) 1);
    assertThat(KEY.toString()).doesNotContain("[B@").contains("4 bytes");
  }

  @Test
  void missingOrMalformedEntries_areACorruptBackup() {
    Map<String, Object> m = new HashMap<>(KEY.toMap());
    m.remove("key_id");
    assertThatThrownBy(() -> WrappedKey.fromMap(m))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .hasMessageContaining("no valid wrapped data key");
    Map<String, Object> bad = new HashMap<>(KEY.toMap());
    bad.put("wrapped_key", "not base64!");
    assertThatThrownBy(() -> WrappedKey.fromMap(bad)).isInstanceOf(BackyException.class);
  }
}
