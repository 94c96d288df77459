package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.dek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Envelope encryption through the real AWS SDK KmsClient against a local KMS endpoint. */
class AwsKmsProviderTest {

  FakeKmsServer kms;
  String keyArn;

  @BeforeEach
  void start() throws Exception {
    kms = new FakeKmsServer();
    keyArn = kms.createKey("alias/backydb");
  }

  @AfterEach
  void stop() {
    kms.close();
  }

  Environment env() {
    return env(Map.of());
  }

  Environment env(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put(AwsKmsProvider.AWS_ACCESS_KEY_ID, "AKIDEXAMPLE");
    m.put(AwsKmsProvider.AWS_SECRET_ACCESS_KEY, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    m.put(AwsKmsProvider.AWS_REGION, FakeKmsServer.REGION);
    m.put(AwsKmsProvider.AWS_KMS_ENDPOINT, kms.endpoint().toString());
    m.putAll(extra);
    return Environment.of(m);
  }

  KeyProvider provider(String keyId) {
    return KeyProviders.forConfig(new SecurityConfig(true, "kms", "aws", 4096, keyId), env());
  }

  @Test
  void generateDataKey_thenRestoreWithOnlyTheHeaderAndEnvironment() {
    DataKey dk;
    try (KeyProvider p = provider("alias/backydb")) {
      assertThat(p).isInstanceOf(AwsKmsProvider.class);
      dk = p.newDataKey("backup-7");
    }
    WrappedKey w = dk.wrapped();
    assertThat(kms.calls("GenerateDataKey")).isEqualTo(1);
    assertThat(w.provider()).isEqualTo("aws");
    assertThat(w.keyId()).isEqualTo(keyArn);
    assertThat(w.algorithm()).isEqualTo(WrappedKey.AWS_KMS);
    assertThat(w.context()).isEqualTo(Map.of("backup_id", "backup-7"));
    assertThat(dk.key()).hasSize(32);
    assertThat(w.wrapped()).isNotEqualTo(dk.key());

    try (KeyProvider restore = KeyProviders.forHeader(w, env())) {
      assertThat(restore.unwrap(w, "backup-7")).isEqualTo(dk.key());
    }
    assertThat(kms.calls("Decrypt")).isEqualTo(1);
  }

  @Test
  void wrapAGivenDataKey_usesEncrypt() {
    byte[] dek = dek();
    try (KeyProvider p = provider(keyArn)) {
      WrappedKey w = p.wrap(dek, "b1");
      assertThat(kms.calls("Encrypt")).isEqualTo(1);
      assertThat(p.unwrap(w, "b1")).isEqualTo(dek);
    }
  }

  @Test
  void wrongEncryptionContext_isRefusedAsAChangedBackup() {
    try (KeyProvider p = provider("alias/backydb")) {
      WrappedKey w = p.newDataKey("b1").wrapped();
      assertThatThrownBy(() -> p.unwrap(w, "b2"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
          .hasMessageContaining("AWS KMS refused Decrypt with key " + keyArn + " for backup b2")
          .hasMessageContaining("InvalidCiphertextException")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void changedWrappedKey_isRefusedAsAChangedBackup() {
    try (KeyProvider p = provider("alias/backydb")) {
      WrappedKey w = p.newDataKey("b1").wrapped();
      byte[] bytes = w.wrapped();
      bytes[bytes.length - 1] ^= 1;
      WrappedKey changed =
          new WrappedKey(w.provider(), w.keyId(), w.algorithm(), bytes, w.context());
      assertThatThrownBy(() -> p.unwrap(changed, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
    }
  }

  @Test
  void kmsDenyingDecrypt_isAClearOneLineError() {
    WrappedKey w;
    try (KeyProvider p = provider("alias/backydb")) {
      w = p.newDataKey("b1").wrapped();
    }
    kms.deny("Decrypt");
    try (KeyProvider restore = KeyProviders.forHeader(w, env())) {
      assertThatThrownBy(() -> restore.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageStartingWith("AWS KMS refused Decrypt with key " + keyArn + " for backup b1")
          .hasMessageContaining("AccessDeniedException")
          .hasMessageContaining("not authorized to perform: kms:Decrypt")
          .hasMessageNotContaining("wJalrXUtnFEMI")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void unknownKey_isAClearConfigError() {
    try (KeyProvider p = provider("alias/missing")) {
      assertThatThrownBy(() -> p.newDataKey("b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("NotFoundException")
          .hasMessageContaining("alias/missing");
    }
  }

  @Test
  void unreachableEndpoint_isAOneLineFailure() {
    kms.close();
    try (KeyProvider p = provider("alias/backydb")) {
      assertThatThrownBy(() -> p.newDataKey("b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
          .hasMessageStartingWith("cannot reach AWS KMS for GenerateDataKey")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  /** The SDK said "Illegal character in scheme name at index 0", naming no variable. */
  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:4566", "not a url", "ftp://127.0.0.1:4566", "http://"})
  void aMalformedEndpoint_isAOneLineConfigErrorNamingTheVariable(String endpoint) {
    assertThatThrownBy(
            () ->
                KeyProviders.forConfig(
                    new SecurityConfig(true, "kms", "aws", 4096, "alias/backydb"),
                    env(Map.of(AwsKmsProvider.AWS_KMS_ENDPOINT, endpoint))))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessage(
            "environment variable AWS_KMS_ENDPOINT ("
                + endpoint
                + ") is not an endpoint URL: use http(s)://host:port, or leave it unset for AWS");
  }

  @Test
  void missingKeyIdOrEnvironment_namesWhatIsMissing() {
    assertThatThrownBy(
            () -> KeyProviders.forConfig(new SecurityConfig(true, "kms", "aws", 4096, null), env()))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageContaining("security.key_id is required");
    Environment noRegion =
        Environment.of(
            Map.of(
                AwsKmsProvider.AWS_ACCESS_KEY_ID, "AKIDEXAMPLE",
                AwsKmsProvider.AWS_SECRET_ACCESS_KEY, "secret"));
    assertThatThrownBy(
            () ->
                KeyProviders.forConfig(
                    new SecurityConfig(true, "kms", "aws", 4096, "alias/backydb"), noRegion))
        .hasMessageContaining("AWS_REGION is not set");
  }
}
