package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backy keys generate|rotate|list|retire} on the local keystore. */
class KeysCommandTest {

  @TempDir Path tmp;
  Path keys;
  Path config;
  Environment env;

  record Run(int exit, List<String> out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    keys = tmp.resolve("keys");
    Files.createDirectories(tmp.resolve("logs"));
    // rotate --config re-wraps the backups in it, so it must exist
    Files.createDirectories(tmp.resolve("backups"));
    env =
        Environment.of(
            Map.of(
                Environment.LOCAL_KEY_STORE_PATH, keys.toString(),
                Environment.PRIVATE_KEY_PASSWORD, PASSWORD,
                Environment.LOGGING_PATH, tmp.resolve("logs").toString(),
                Environment.LOCAL_PATH, tmp.resolve("backups").toString()));
    config = tmp.resolve("backup.json");
    Files.writeString(
        config,
        """
        {
          "database": {"host": "127.0.0.1", "user": "root", "db_name": "shop"},
          "storage": {"storage_type": "local"},
          "security": {"encryption": true, "type": "keystore", "provider": "local", "key_size": 2048}
        }
        """);
  }

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = BackyCli.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exit, out.toString().lines().toList(), err.toString());
  }

  static String last(Run r) {
    return r.out().get(r.out().size() - 1);
  }

  @Test
  void generate_rotate_list_retire() {
    Run gen = run("keys", "generate", "--config", config.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
    String first = last(gen);
    assertThat(first).matches("[0-9a-f]{16}");
    assertThat(gen.out().get(0)).isEqualTo("Generated key " + first);

    Run again = run("keys", "generate", "--config", config.toString());
    assertThat(again.out()).containsExactly("Key " + first + " exists already", first);

    Run rot = run("keys", "rotate", "--config", config.toString());
    assertThat(rot.exit()).as(rot.err()).isZero();
    String second = last(rot);
    assertThat(second).isNotEqualTo(first);
    assertThat(rot.out())
        .contains(
            "Key "
                + first
                + " stays for older backups until: backy keys retire --key-id "
                + first
                + " --config "
                + config);

    assertThat(run("keys", "list").out()).containsExactly(second + "  (current)", first);

    Run refuse = run("keys", "retire", "--key-id", second);
    assertThat(refuse.exit()).isEqualTo(1);
    assertThat(refuse.err().strip())
        .startsWith("backy: error: key " + second + " is the current key")
        .doesNotContain("\n");

    Run retire = run("keys", "retire", "--key-id", first);
    assertThat(retire.exit()).as(retire.err()).isZero();
    assertThat(run("keys", "list").out()).containsExactly(second + "  (current)");
  }

  /**
   * list printed nothing, exit 0, for an empty keystore and for a LOCAL_KEY_STORE_PATH that does
   * not exist (a typo, say) alike.
   */
  @Test
  void listSaysAKeystoreIsEmpty_andAMissingFolderIsAnError() throws Exception {
    Run missing = run("keys", "list");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "backy: error: environment variable LOCAL_KEY_STORE_PATH ("
                + keys
                + ") names a folder that does not exist\n");
    assertThat(missing.out()).isEmpty();
    assertThat(keys).doesNotExist();

    Files.createDirectories(keys);
    Run empty = run("keys", "list");
    assertThat(empty.exit()).as(empty.err()).isZero();
    assertThat(empty.out()).containsExactly("No keys in LOCAL_KEY_STORE_PATH " + keys);
  }

  /**
   * rotate --config of a LOCAL_PATH that does not exist said "Re-wrapped 0 backup(s)" and rotated,
   * so the old key pair looked free to retire while the backups in the misspelt folder still needed
   * it: it is a configuration error, as for list, and nothing is rotated.
   */
  @Test
  void rotateWithAConfigWhoseLocalPathIsMissing_isAnErrorAndRotatesNothing() throws Exception {
    Files.delete(tmp.resolve("backups"));
    Run gen = run("keys", "generate", "--config", config.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
    Run rot = run("keys", "rotate", "--config", config.toString());
    assertThat(rot.exit()).isEqualTo(2);
    assertThat(rot.err())
        .isEqualTo(
            "backy: error: environment variable LOCAL_PATH ("
                + tmp.resolve("backups")
                + ") names a folder that does not exist\n");
    assertThat(rot.out()).isEmpty();
    assertThat(run("keys", "list").out()).containsExactly(last(gen) + "  (current)");
  }

  /**
   * retire --config of a LOCAL_PATH that does not exist found no backup wrapped by the key and
   * deleted it, so the backups in the misspelt folder could never be restored again: it is a
   * configuration error, as for rotate, and the key stays.
   */
  @Test
  void retireWithAConfigWhoseLocalPathIsMissing_isAnErrorAndRetiresNothing() throws Exception {
    Files.delete(tmp.resolve("backups"));
    String old = last(run("keys", "generate", "--config", config.toString()));
    String current = last(run("keys", "rotate"));
    Run retire = run("keys", "retire", "--config", config.toString(), "--key-id", old);
    assertThat(retire.exit()).isEqualTo(2);
    assertThat(retire.err())
        .isEqualTo(
            "backy: error: environment variable LOCAL_PATH ("
                + tmp.resolve("backups")
                + ") names a folder that does not exist\n");
    assertThat(retire.out()).isEmpty();
    assertThat(run("keys", "list").out()).containsExactly(current + "  (current)", old);
  }

  @Test
  void missingPassword_exits2WithOneLine() throws Exception {
    Files.createDirectories(keys);
    env =
        Environment.of(
            Map.of(
                Environment.LOCAL_KEY_STORE_PATH, keys.toString(),
                Environment.LOGGING_PATH, tmp.resolve("logs").toString()));
    assertThat(run("keys", "list").exit()).as("listing key ids needs no password").isZero();
    Run r = run("keys", "generate", "--config", config.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "backy: error: environment variable PRIVATE_KEY_PASSWORD is not set (required to"
                + " protect the keystore's private keys)");
  }

  @Test
  void rotateWithAKmsConfig_explainsThatKmsRotatesItself() throws Exception {
    Files.writeString(
        config,
        """
        {
          "database": {"host": "127.0.0.1", "user": "root", "db_name": "shop"},
          "storage": {"storage_type": "local"},
          "security": {"encryption": true, "type": "kms", "provider": "aws", "key_id": "alias/b"}
        }
        """);
    env =
        Environment.of(
            Map.of(
                "AWS_ACCESS_KEY_ID",
                "AKID",
                "AWS_SECRET_ACCESS_KEY",
                "secret",
                "AWS_REGION",
                "us-east-1",
                Environment.LOGGING_PATH,
                tmp.resolve("logs").toString()));
    Run r = run("keys", "rotate", "--config", config.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("AWS KMS keeps its keys itself");

    // without AWS credentials it asked for them first, only to say the same afterwards
    env = Environment.of(Map.of(Environment.LOGGING_PATH, tmp.resolve("logs").toString()));
    for (String command : List.of("rotate", "generate", "list")) {
      Run noCredentials = run("keys", command, "--config", config.toString());
      assertThat(noCredentials.exit()).as(command).isEqualTo(2);
      assertThat(noCredentials.err())
          .as(command)
          .startsWith("backy: error: AWS KMS keeps its keys itself")
          .doesNotContain("AWS_ACCESS_KEY_ID");
    }
  }

  /** It said "security.type is required with encryption" of a config that encrypts nothing. */
  @Test
  void aConfigWithoutAKeystore_saysSoInOneLine() throws Exception {
    Files.writeString(
        config,
        """
        {
          "database": {"host": "127.0.0.1", "user": "root", "db_name": "shop"},
          "storage": {"storage_type": "local"}
        }
        """);
    for (String command : List.of("rotate", "generate", "list")) {
      Run r = run("keys", command, "--config", config.toString());
      assertThat(r.exit()).as(command).isEqualTo(2);
      assertThat(r.err())
          .as(command)
          .isEqualTo(
              "backy: error: the config names no keystore: backy keys manages the key pairs of"
                  + " security.type keystore (provider local or gcp); without --config it uses"
                  + " the local keystore\n");
    }
    assertThat(keys).as("nothing was generated").doesNotExist();
  }

  @Test
  void rotateInGoogleSecretManager_addsAVersionOfTheCurrentKeySecret() throws Exception {
    try (FakeSecretManagerServer server = new FakeSecretManagerServer()) {
      Files.writeString(
          config,
          """
          {
            "database": {"host": "127.0.0.1", "user": "root", "db_name": "shop"},
            "storage": {"storage_type": "local"},
            "security": {"encryption": true, "type": "keystore", "provider": "gcp", "key_size": 2048}
          }
          """);
      env =
          Environment.of(
              Map.of(
                  GcpSecretManagerProvider.GCP_PROJECT_ID,
                  "proj",
                  GcpSecretManagerProvider.GCP_SECRET_MANAGER_ENDPOINT,
                  server.endpoint(),
                  Environment.PRIVATE_KEY_PASSWORD,
                  PASSWORD,
                  Environment.LOGGING_PATH,
                  tmp.resolve("logs").toString(),
                  Environment.LOCAL_PATH,
                  tmp.resolve("backups").toString()));
      String first = last(run("keys", "generate", "--config", config.toString()));
      Run rot = run("keys", "rotate", "--config", config.toString());
      assertThat(rot.exit()).as(rot.err()).isZero();
      String second = last(rot);
      assertThat(server.versions("proj", "backydb-current-key")).containsExactly(first, second);
      assertThat(run("keys", "list", "--config", config.toString()).out())
          .containsExactly(second + "  (current)", first);
    }
  }
}
