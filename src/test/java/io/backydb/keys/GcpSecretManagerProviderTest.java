package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.CHEAP_ITERATIONS;
import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static io.backydb.keys.LocalKeystoreProviderTest.TEST_KEY_SIZE;
import static io.backydb.keys.LocalKeystoreProviderTest.dek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Secret Manager keystore through the real Google client and Camel's component. */
class GcpSecretManagerProviderTest {

  static final String PROJECT = "backy-test";

  FakeSecretManagerServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeSecretManagerServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  GcpSecretManagerProvider keystore(String project, String password) {
    return new GcpSecretManagerProvider(
        GcpSecretManagerProvider.emulatorClient(server.endpoint()),
        project,
        password.toCharArray(),
        TEST_KEY_SIZE,
        CHEAP_ITERATIONS);
  }

  Environment env(String password) {
    return Environment.of(
        Map.of(
            GcpSecretManagerProvider.GCP_PROJECT_ID, PROJECT,
            GcpSecretManagerProvider.GCP_SECRET_MANAGER_ENDPOINT, server.endpoint(),
            Environment.PRIVATE_KEY_PASSWORD, password));
  }

  @Test
  void firstUse_createsTheKeyPairSecretsThere_andRestoreNeedsOnlyTheHeaderAndEnvironment() {
    byte[] dek = dek();
    WrappedKey w;
    try (KeyProvider p =
        KeyProviders.forConfig(
            new SecurityConfig(true, "keystore", "gcp", TEST_KEY_SIZE, null), env(PASSWORD))) {
      assertThat(p).isInstanceOf(GcpSecretManagerProvider.class);
      w = p.wrap(dek, "b1");
    }
    assertThat(w.provider()).isEqualTo("gcp");
    assertThat(w.algorithm()).isEqualTo(WrappedKey.RSA_OAEP_SHA256);
    assertThat(server.versions(PROJECT, "backydb-current-key")).containsExactly(w.keyId());
    String pair = server.versions(PROJECT, "backydb-key-" + w.keyId()).get(0);
    assertThat(pair)
        .contains("-----BEGIN PUBLIC KEY-----")
        .contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        .doesNotContain("BEGIN PRIVATE KEY")
        .doesNotContain(PASSWORD);

    try (KeyProvider restore = KeyProviders.forHeader(w, env(PASSWORD))) {
      assertThat(restore.unwrap(w, "b1")).isEqualTo(dek);
    }
  }

  @Test
  void secondProvider_usesTheKeyPairAlreadyThere() {
    String id;
    try (GcpSecretManagerProvider a = keystore(PROJECT, PASSWORD)) {
      id = a.currentKeyId();
    }
    try (GcpSecretManagerProvider b = keystore(PROJECT, PASSWORD)) {
      assertThat(b.hasCurrentKey()).isTrue();
      assertThat(b.wrap(dek(), "b1").keyId()).isEqualTo(id);
    }
    assertThat(server.versions(PROJECT, "backydb-current-key")).hasSize(1);
  }

  @Test
  void wrongPrivateKeyPassword_isAClearConfigError() {
    WrappedKey w;
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      w = ks.wrap(dek(), "b1");
    }
    try (GcpSecretManagerProvider wrong = keystore(PROJECT, "nope-nope")) {
      assertThatThrownBy(() -> wrong.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("PRIVATE_KEY_PASSWORD is wrong")
          .hasMessageContaining("Google Secret Manager (project backy-test)")
          .hasMessageNotContaining("nope-nope");
    }
  }

  @Test
  void differentKeyPair_isAClearConfigError() {
    WrappedKey w;
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      w = ks.wrap(dek(), "b1");
    }
    try (GcpSecretManagerProvider other = keystore("other-project", PASSWORD)) {
      other.currentKeyId();
      assertThatThrownBy(() -> other.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("key " + w.keyId())
          .hasMessageContaining("is not in Google Secret Manager (project other-project)");
    }
  }

  @Test
  void secretManagerRefusing_isAClearOneLineError() {
    WrappedKey w;
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      w = ks.wrap(dek(), "b1");
    }
    server.denyAll();
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      assertThatThrownBy(() -> ks.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining(
              "Google Secret Manager (project backy-test) refused getSecretVersion")
          .hasMessageContaining("PERMISSION_DENIED")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void aSecretMissingWhereItMustExist_isAOneLineErrorNamingIt() {
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      // as when another process retired the key between the check and the delete
      assertThatThrownBy(() -> ks.delete("0123456789abcdef"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageStartingWith(
              "Google Secret Manager (project "
                  + PROJECT
                  + ") refused deleteSecret on secret backydb-key-0123456789abcdef: NOT_FOUND")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void rotate_addsASecretVersion_oldKeyKeepsUnwrappingUntilRetired() {
    byte[] dek = dek();
    WrappedKey rewrapped;
    try (GcpSecretManagerProvider ks = keystore(PROJECT, PASSWORD)) {
      WrappedKey old = ks.wrap(dek, "b1");
      String next = ks.rotate();
      assertThat(server.versions(PROJECT, "backydb-current-key"))
          .containsExactly(old.keyId(), next);
      assertThat(ks.keyIds()).containsExactly(next, old.keyId());
      assertThat(ks.wrap(dek, "b2").keyId()).isEqualTo(next);
      assertThat(ks.unwrap(old, "b1")).isEqualTo(dek);

      rewrapped = KeyRotation.rewrap(old, "b1", ks);
      assertThat(rewrapped.keyId()).isEqualTo(next);

      ks.retire(old.keyId());
      assertThat(server.exists(PROJECT, "backydb-key-" + old.keyId())).isFalse();
      assertThat(ks.keyIds()).containsExactly(next);
    }
    try (GcpSecretManagerProvider fresh = keystore(PROJECT, PASSWORD)) {
      assertThat(fresh.unwrap(rewrapped, "b1")).isEqualTo(dek);
    }
  }

  @Test
  void twoKeystoresStartingAtOnce_bothEndWithAKeyTheOtherCanUse() throws Exception {
    byte[] dek = dek();
    try (GcpSecretManagerProvider a = keystore(PROJECT, PASSWORD);
        GcpSecretManagerProvider b = keystore(PROJECT, PASSWORD)) {
      java.util.concurrent.CompletableFuture<WrappedKey> wa =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> a.wrap(dek, "b1"));
      WrappedKey wb = b.wrap(dek, "b2");
      WrappedKey w1 = wa.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(b.unwrap(w1, "b1")).isEqualTo(dek);
      assertThat(a.unwrap(wb, "b2")).isEqualTo(dek);
      assertThat(server.versions(PROJECT, "backydb-current-key")).isNotEmpty();
    }
  }

  @Test
  void aBrokenKeyFileIsAConfigErrorThatQuotesNothingOfIt(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("key.json");
    // a key file cut short: the message says where the parser stopped, never what it read
    Files.writeString(
        key,
        "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
            + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETKEYMATERIAL");
    Environment env =
        Environment.of(
            java.util.Map.of(
                GcpSecretManagerProvider.GCP_PROJECT_ID,
                "p",
                "GOOGLE_APPLICATION_CREDENTIALS",
                key.toString(),
                Environment.PRIVATE_KEY_PASSWORD,
                "pw"));
    assertThatThrownBy(() -> GcpSecretManagerProvider.fromEnvironment(env, 2048))
        .isInstanceOf(io.backydb.BackyException.class)
        .hasMessageContaining("cannot use the service account key GOOGLE_APPLICATION_CREDENTIALS")
        .hasMessageNotContaining("SECRETKEYMATERIAL")
        .hasMessageNotContaining("MIIE")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
        .satisfies(
            e ->
                assertThat(((io.backydb.BackyException) e).code())
                    .isEqualTo(io.backydb.ErrorCode.CONFIG));
    // not JSON at all: the parser's message was two lines, the second a link to its manual
    Files.writeString(key, "SECRETKEYMATERIAL {\"type\": \"service_account\"\n");
    assertThatThrownBy(() -> GcpSecretManagerProvider.fromEnvironment(env, 2048))
        .isInstanceOf(io.backydb.BackyException.class)
        .hasMessageStartingWith(
            "cannot use the service account key GOOGLE_APPLICATION_CREDENTIALS ("
                + key
                + "): malformed JSON at line 1")
        .hasMessageNotContaining("SECRETKEYMATERIAL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    Files.delete(key);
    assertThatThrownBy(() -> GcpSecretManagerProvider.fromEnvironment(env, 2048))
        .isInstanceOf(io.backydb.BackyException.class)
        .hasMessageContaining(key.toString());
  }
}
