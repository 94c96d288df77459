package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static io.backydb.keys.LocalKeystoreProviderTest.keystore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.PayloadEncryption;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** Rotation re-wraps data keys; payloads encrypted before it decrypt unchanged after it. */
class KeyRotationTest {

  /**
   * The authenticated part of a header (associated data of the payload). The wrapped data key is
   * not part of it: re-wrapping must not change the associated data.
   */
  static final byte[] AAD =
      "BACKY\u0001{\"backup_id\":\"b1\",\"compression\":\"zstd\"}".getBytes(StandardCharsets.UTF_8);

  static final String SQL = "INSERT INTO t VALUES ('rotation survives');\n";

  @TempDir Path tmp;

  static byte[] encrypt(byte[] dek) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = PayloadEncryption.encrypting(out, dek, AAD)) {
      enc.write(SQL.repeat(1000).getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static String decrypt(byte[] payload, byte[] dek) throws IOException {
    try (InputStream in =
        PayloadEncryption.decrypting(new ByteArrayInputStream(payload), dek, AAD)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void rewrap_afterRotation_oldBackupRestoresWithTheNewKeyOnly() throws IOException {
    Path dir = tmp.resolve("ks");
    byte[] payload;
    WrappedKey old;
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      DataKey dk = ks.newDataKey("b1");
      payload = encrypt(dk.key());
      old = dk.wrapped();
      dk.destroy();
    }
    WrappedKey rewrapped;
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      String next = ks.rotate();
      rewrapped = KeyRotation.rewrap(old, "b1", ks);
      assertThat(rewrapped.keyId()).isEqualTo(next).isNotEqualTo(old.keyId());
      assertThat(KeyRotation.isCurrent(rewrapped, ks)).isTrue();
      assertThat(KeyRotation.isCurrent(old, ks)).isFalse();
      ks.retire(old.keyId());
    }
    try (LocalKeystoreProvider restore = keystore(dir, PASSWORD)) {
      byte[] dek = restore.unwrap(rewrapped, "b1");
      assertThat(decrypt(payload, dek)).startsWith(SQL).hasSize(SQL.length() * 1000);
      assertThatThrownBy(() -> restore.unwrap(old, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("is not in LOCAL_KEY_STORE_PATH");
    }
  }

  @Test
  void rotate_underAWrongPassword_isRefusedAndChangesNothing() throws Exception {
    Path dir = tmp.resolve("ks");
    String first;
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      first = ks.currentKeyId();
    }
    try (LocalKeystoreProvider typo = keystore(dir, PASSWORD + "x")) {
      assertThatThrownBy(typo::rotate)
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("PRIVATE_KEY_PASSWORD is wrong");
    }
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      assertThat(ks.keyIds()).containsExactly(first);
      assertThat(ks.currentKeyId()).isEqualTo(first);
      assertThat(ks.rotate()).isNotEqualTo(first);
    }
  }

  @Test
  void aClosedKeystore_neverMakesAKeyUnderItsClearedPassword() throws Exception {
    LocalKeystoreProvider ks = keystore(tmp.resolve("ks"), PASSWORD);
    ks.currentKeyId();
    ks.close();
    assertThatThrownBy(ks::rotate)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after the keystore closed");
    try (LocalKeystoreProvider again = keystore(tmp.resolve("ks"), PASSWORD)) {
      assertThat(again.keyIds()).hasSize(1);
    }
  }

  @Test
  void wrap_withAReplacedPublicKeyFile_isRefused() throws Exception {
    Path dir = tmp.resolve("ks");
    Path other = tmp.resolve("other");
    String id;
    String otherId;
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD);
        LocalKeystoreProvider o = keystore(other, PASSWORD)) {
      id = ks.currentKeyId();
      otherId = o.currentKeyId();
    }
    Files.copy(
        other.resolve(LocalKeystoreProvider.publicFile(otherId)),
        dir.resolve(LocalKeystoreProvider.publicFile(id)),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      assertThatThrownBy(() -> ks.newDataKey("b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("the key stored as " + id)
          .hasMessageContaining("has another fingerprint: it was replaced");
    }
  }

  @Test
  void rewrap_fromTheLocalKeystoreToAwsKms() throws Exception {
    try (FakeKmsServer server = new FakeKmsServer();
        LocalKeystoreProvider local = keystore(tmp, PASSWORD);
        AwsKmsProvider kms =
            new AwsKmsProvider(
                KmsClient.builder()
                    .endpointOverride(server.endpoint())
                    .region(Region.of(FakeKmsServer.REGION))
                    .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "s")))
                    .build(),
                server.createKey("alias/backups"))) {
      DataKey dk = local.newDataKey("b9");
      byte[] payload = encrypt(dk.key());
      WrappedKey moved = KeyRotation.rewrap(dk.wrapped(), "b9", local, kms);
      assertThat(moved.provider()).isEqualTo("aws");
      assertThat(moved.context()).containsEntry("backup_id", "b9");
      assertThat(decrypt(payload, kms.unwrap(moved, "b9"))).startsWith(SQL);
    }
  }

  @Test
  void rewrap_withTheWrongBackupId_failsAndChangesNothing() {
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      WrappedKey w = ks.newDataKey("b1").wrapped();
      ks.rotate();
      assertThatThrownBy(() -> KeyRotation.rewrap(w, "b2", ks))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
      assertThat(ks.unwrap(w, "b1")).hasSize(32);
    }
  }
}
