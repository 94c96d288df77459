package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static io.backydb.keys.LocalKeystoreProviderTest.dek;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.secretmanager.v1.ProjectName;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a key pair in Secret Manager takes several calls: CreateSecret then AddSecretVersion for
 * {@code backydb-key-<id>}, then the same (or AddSecretVersion alone) for {@code
 * backydb-current-key}. A process killed, or a connection lost, between a CreateSecret and its
 * AddSecretVersion leaves a secret without any version. Those states are made here as a kill leaves
 * them, through the real Google client, and the keystore operations that follow are run against the
 * local Secret Manager server.
 */
class GcpInterruptedKeyCreationTest {

  static final String PROJECT = "gk-proj";

  @TempDir Path tmp;
  FakeSecretManagerServer server;
  Path config;
  Environment env;

  record Run(int exit, List<String> out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    server = new FakeSecretManagerServer();
    Files.createDirectories(tmp.resolve("logs"));
    Files.createDirectories(tmp.resolve("backups"));
    env =
        Environment.of(
            Map.of(
                GcpSecretManagerProvider.GCP_PROJECT_ID, PROJECT,
                GcpSecretManagerProvider.GCP_SECRET_MANAGER_ENDPOINT, server.endpoint(),
                Environment.PRIVATE_KEY_PASSWORD, PASSWORD,
                Environment.LOGGING_PATH, tmp.resolve("logs").toString(),
                Environment.LOCAL_PATH, tmp.resolve("backups").toString()));
    config = tmp.resolve("backup.json");
    Files.writeString(
        config,
        """
        {
          "database": {"host": "127.0.0.1", "user": "root", "db_name": "gk_shop"},
          "storage": {"storage_type": "local"},
          "security": {"encryption": true, "type": "keystore", "provider": "gcp", "key_size": 2048}
        }
        """);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Run keys(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 3];
    all[0] = "keys";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--config";
    all[args.length + 2] = config.toString();
    int exit = BackyCli.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Run(exit, out.toString().lines().toList(), err.toString());
  }

  static String last(Run r) {
    return r.out().get(r.out().size() - 1);
  }

  /** What a process killed right after a CreateSecret leaves: the secret, without a version. */
  void secretWithoutVersion(String secretId) {
    try (SecretManagerServiceClient client =
        GcpSecretManagerProvider.emulatorClient(server.endpoint())) {
      client.createSecret(
          ProjectName.of(PROJECT),
          secretId,
          Secret.newBuilder()
              .setReplication(
                  Replication.newBuilder().setAutomatic(Replication.Automatic.newBuilder()))
              .build());
    }
  }

  static String unfinishedLine(String id) {
    return "secret backydb-key-"
        + id
        + " in Google Secret Manager (project "
        + PROJECT
        + ") has no version: a key creation interrupted (or one running now), not a key;"
        + " remove it with backy keys retire --key-id "
        + id;
  }

  /** Backups wrap with the provider the config names, restores unwrap with the header's. */
  WrappedKey backUp(byte[] dek, String backupId) {
    try (KeyProvider p =
        KeyProviders.forConfig(new SecurityConfig(true, "keystore", "gcp", 2048, null), env)) {
      return p.wrap(dek, backupId);
    }
  }

  byte[] restore(WrappedKey w, String backupId) {
    try (KeyProvider p = KeyProviders.forHeader(w, env)) {
      return p.unwrap(w, backupId);
    }
  }

  @Test
  void aKeySecretLeftWithoutVersionByAKilledRotate_isNoKey_andTheNextRotateCompletes() {
    String first = last(keys("generate"));
    byte[] dek = dek();
    WrappedKey before = backUp(dek, "b1");
    // killed in keys rotate between the CreateSecret and the AddSecretVersion of the new key
    String half = "00112233aabbccdd";
    secretWithoutVersion("backydb-key-" + half);

    // listed apart, on stderr, as what it is, with what to do
    Run list = keys("list");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).containsExactly(first + "  (current)");
    assertThat(list.err()).isEqualTo(unfinishedLine(half) + "\n");

    // backups and restores go on with the current key
    WrappedKey w = backUp(dek, "b2");
    assertThat(w.keyId()).isEqualTo(first);
    assertThat(restore(w, "b2")).isEqualTo(dek);
    assertThat(restore(before, "b1")).isEqualTo(dek);
    // a backup naming the half-made key (its header changed) is still a clear error
    WrappedKey renamed =
        new WrappedKey(w.provider(), half, w.algorithm(), w.wrapped(), w.context());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> restore(renamed, "b2"))
        .hasMessageContaining("names key " + half)
        .hasMessageContaining("which key " + first);

    // rotate again completes
    Run rot = keys("rotate");
    assertThat(rot.exit()).as(rot.err()).isZero();
    String second = last(rot);
    assertThat(server.versions(PROJECT, "backydb-current-key")).containsExactly(first, second);
    assertThat(keys("list").out()).containsExactly(second + "  (current)", first);
  }

  @Test
  void keysRetire_removesAKeySecretWithoutVersion_asTheLineSays() {
    String first = last(keys("generate"));
    String half = "00112233aabbccdd";
    secretWithoutVersion("backydb-key-" + half);

    Run retire = keys("retire", "--key-id", half);
    assertThat(retire.exit()).as(retire.err()).isZero();
    assertThat(retire.out()).containsExactly("Retired key " + half);
    assertThat(server.exists(PROJECT, "backydb-key-" + half)).isFalse();
    Run after = keys("list");
    assertThat(after.err()).isEmpty();
    assertThat(after.out()).containsExactly(first + "  (current)");
    // a key with its material is still refused while current, and a key not there is still named
    assertThat(keys("retire", "--key-id", first).exit()).isEqualTo(1);
    Run none = keys("retire", "--key-id", half);
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("there is no key " + half + " in Google Secret Manager");
  }

  @Test
  void aKeySecretLeftWithoutVersionByAKilledFirstGenerate_theNextGenerateMakesTheKey() {
    String half = "ffeeddcc00112233";
    secretWithoutVersion("backydb-key-" + half);

    Run list = keys("list");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .containsExactly("No keys in Google Secret Manager (project " + PROJECT + ")");
    assertThat(list.err()).isEqualTo(unfinishedLine(half) + "\n");

    Run gen = keys("generate");
    assertThat(gen.exit()).as(gen.err()).isZero();
    String id = last(gen);
    assertThat(gen.out().get(0)).isEqualTo("Generated key " + id);
    assertThat(server.versions(PROJECT, "backydb-current-key")).containsExactly(id);
    byte[] dek = dek();
    WrappedKey w = backUp(dek, "b1");
    assertThat(w.keyId()).isEqualTo(id);
    assertThat(restore(w, "b1")).isEqualTo(dek);
  }

  @Test
  void theCurrentKeySecretLeftWithoutVersion_theNextGenerateCompletesIt() {
    // first use killed after the key pair's secret was made, between the CreateSecret and the
    // AddSecretVersion of backydb-current-key
    String orphan;
    try (GcpSecretManagerProvider p =
        new GcpSecretManagerProvider(
            GcpSecretManagerProvider.emulatorClient(server.endpoint()),
            PROJECT,
            PASSWORD.toCharArray(),
            2048)) {
      orphan = p.rotate();
    }
    // undo the current key secret's version: as if its AddSecretVersion never ran
    try (SecretManagerServiceClient client =
        GcpSecretManagerProvider.emulatorClient(server.endpoint())) {
      client.deleteSecret(
          com.google.cloud.secretmanager.v1.SecretName.of(PROJECT, "backydb-current-key"));
    }
    secretWithoutVersion("backydb-current-key");

    Run gen = keys("generate");
    assertThat(gen.exit()).as(gen.err()).isZero();
    String id = last(gen);
    assertThat(server.versions(PROJECT, "backydb-current-key")).containsExactly(id);
    Run list = keys("list");
    assertThat(list.err()).isEmpty();
    assertThat(list.out()).contains(id + "  (current)", orphan);
    byte[] dek = dek();
    WrappedKey w = backUp(dek, "b1");
    assertThat(w.keyId()).isEqualTo(id);
    assertThat(restore(w, "b1")).isEqualTo(dek);
  }
}
