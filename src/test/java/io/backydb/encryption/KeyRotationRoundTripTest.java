package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.backup.BackupResult;
import io.backydb.backup.ObjectReplacer;
import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.format.MetadataJson;
import io.backydb.storage.LocalStorage;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation end to end: back up, {@code backy keys rotate --config}, {@code backy keys retire}
 * the old key; the old backups restore with only the new key, their payload and trailer untouched.
 */
class KeyRotationRoundTripTest {

  @TempDir Path dir;

  record Cli(int exit, String out, String err) {}

  static Cli cli(Environment env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = BackyCli.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(exit, out.toString(), err.toString());
  }

  static BackyHeader header(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return BackyFormat.readHeader(in, file.toString());
    }
  }

  static String keyId(Path file) throws Exception {
    return header(file).encryption().path(BackyHeader.WRAPPED_KEYS).get(0).path("key_id").asText();
  }

  @Test
  void rotateRewrapsEveryBackup_retireOldKey_oldBackupsStillRestore() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      BackupResult a = f.backup("zstd", "hmac");
      BackupResult b = f.backup(null, null);
      BackupResult unencrypted;
      try (io.backydb.BackyDB backy = new io.backydb.BackyDB(f.env())) {
        Map<String, Object> c = f.backupConfig("zip", "checksum");
        c.remove("security");
        unencrypted = backy.backup(c);
      }
      Path fileA = Path.of(a.location());
      Path fileB = Path.of(b.location());
      String oldKey = keyId(fileA);
      assertThat(keyId(fileB)).isEqualTo(oldKey);
      byte[] before = Files.readAllBytes(fileA);
      byte[] authenticatedBefore = header(fileA).authenticatedBytes();
      int headerBefore = header(fileA).bytes().length;
      byte[] unencryptedBefore = Files.readAllBytes(Path.of(unencrypted.location()));

      Path config = dir.resolve("backup.json");
      Files.writeString(
          config,
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(f.backupConfig("zstd", "hmac")));

      Cli rotate = cli(f.env(), "keys", "rotate", "--config", config.toString());
      assertThat(rotate.exit()).as(rotate.out() + rotate.err()).isZero();
      String newKey = rotate.out().lines().filter(l -> l.matches("[0-9a-f]{16}")).findFirst().get();
      assertThat(newKey).isNotEqualTo(oldKey);
      assertThat(rotate.out()).contains("Re-wrapped 2 backup(s)").contains("1 skipped");

      // only the header's wrapped key changed: payload, trailer and authenticated header are the
      // same bytes
      byte[] after = Files.readAllBytes(fileA);
      int headerAfter = header(fileA).bytes().length;
      assertThat(keyId(fileA)).isEqualTo(newKey);
      assertThat(keyId(fileB)).isEqualTo(newKey);
      assertThat(header(fileA).authenticatedBytes()).isEqualTo(authenticatedBefore);
      assertThat(Arrays.copyOfRange(after, headerAfter, after.length))
          .isEqualTo(Arrays.copyOfRange(before, headerBefore, before.length));
      assertThat(Files.readAllBytes(Path.of(unencrypted.location()))).isEqualTo(unencryptedBefore);
      BackupMetadata sidecar;
      try (InputStream in =
          Files.newInputStream(fileA.resolveSibling(a.metadata().name() + ".metadata.json"))) {
        sidecar = MetadataJson.read(in, "sidecar");
      }
      assertThat(sidecar.encryption().keyId()).isEqualTo(newKey);
      assertThat(sidecar.files().get(0).bytes()).isEqualTo(after.length);
      assertThat(sidecar.integrity().value()).isEqualTo(a.metadata().integrity().value());
      try (var files = Files.list(fileA.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.endsWith(ObjectReplacer.SUFFIX));
      }

      Cli again = cli(f.env(), "keys", "rotate", "--config", config.toString());
      assertThat(again.exit()).as(again.out() + again.err()).isZero();
      String newest = again.out().lines().filter(l -> l.matches("[0-9a-f]{16}")).findFirst().get();

      for (String retired : List.of(oldKey, newKey)) {
        Cli retire =
            cli(f.env(), "keys", "retire", "--config", config.toString(), "--key-id", retired);
        assertThat(retire.exit()).as(retire.out() + retire.err()).isZero();
      }
      Cli list = cli(f.env(), "keys", "list", "--config", config.toString());
      assertThat(list.out().strip()).isEqualTo(newest + "  (current)");

      for (BackupResult r : List.of(a, b)) {
        Cli verify = cli(f.env(), "verify", "--no-require-hmac", r.location());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        String target = f.newTarget();
        try {
          f.restore(r.location(), target, f.env());
          assertThat(EncryptionFixture.server.checksums(target))
              .isEqualTo(EncryptionFixture.server.checksums(f.source));
        } finally {
          EncryptionFixture.server.dropDatabase(target);
        }
      }
    }
  }

  /**
   * {@code keys retire --config} deleted a key that still wrapped backups in the config's storage
   * without a word: they could never be restored again.
   */
  @Test
  void retiringAKeyThatStillWrapsABackup_isRefusedUnlessForced() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      BackupResult a = f.backup("zstd", null);
      String oldKey = keyId(Path.of(a.location()));
      Path config = dir.resolve("backup.json");
      Files.writeString(
          config,
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(f.backupConfig("zstd", null)));
      // rotated without --config: nothing re-wrapped, the backup still needs the old key
      assertThat(cli(f.env(), "keys", "rotate").exit()).isZero();

      Cli refused =
          cli(f.env(), "keys", "retire", "--config", config.toString(), "--key-id", oldKey);
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err())
          .isEqualTo(
              "backy: error: key "
                  + oldKey
                  + " still wraps the data key of 1 backup(s) in the config's storage ("
                  + Path.of(a.location()).getFileName()
                  + "): re-wrap them first (backy keys rotate --config FILE), or add --force to"
                  + " retire it and lose them\n");
      assertThat(cli(f.env(), "keys", "list").out()).contains(oldKey);
      Cli verify = cli(f.env(), "verify", "--no-require-hmac", a.location());
      assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();

      Cli forced =
          cli(
              f.env(),
              "keys",
              "retire",
              "--config",
              config.toString(),
              "--key-id",
              oldKey,
              "--force");
      assertThat(forced.exit()).as(forced.err()).isZero();
      assertThat(cli(f.env(), "keys", "list").out()).doesNotContain(oldKey);
    }
  }

  /**
   * A backup that could not be re-wrapped ended the run with "keep key <previous current> until
   * they are", naming a key the backup does not need rather than the one it does.
   */
  @Test
  void aBackupThatCannotBeRewrapped_endsWithAdviceAboutItsOwnKey() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      BackupResult a = f.backup(null, null);
      String needed = keyId(Path.of(a.location()));
      Path config = dir.resolve("backup.json");
      Files.writeString(
          config,
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(f.backupConfig(null, null)));
      Environment other = f.env(EncryptionFixture.KEY_PASSWORD, dir.resolve("other-keys"));
      String otherFirst =
          cli(other, "keys", "generate").out().strip().lines().reduce((x, y) -> y).get();

      Cli rotate = cli(other, "keys", "rotate", "--config", config.toString());
      assertThat(rotate.exit()).isEqualTo(1);
      assertThat(rotate.out())
          .contains("Could not re-wrap " + a.location() + ": key " + needed + " that wrapped");
      assertThat(rotate.err())
          .isEqualTo(
              "backy: error: 1 backup(s) could not be re-wrapped (listed above, each with the key"
                  + " it needs): keep those keys until they are\n")
          .doesNotContain(otherFirst);
    }
  }

  @Test
  void interruptedReplacement_isFinishedByTheNextRun() throws Exception {
    Path root = dir.resolve("store");
    Files.createDirectories(root);
    LocalStorage storage = new LocalStorage(root);
    // crash after the old object was deleted, before the new one was written
    try (var w = storage.create("x.backy" + ObjectReplacer.SUFFIX)) {
      w.stream().write("new".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      w.commit();
    }
    // crash after the new object was written, before the temporary copy was deleted
    for (String n : List.of("y.backy", "y.backy" + ObjectReplacer.SUFFIX)) {
      try (var w = storage.create(n)) {
        w.stream().write(n.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        w.commit();
      }
    }
    assertThat(ObjectReplacer.recover(storage)).isEqualTo(2);
    assertThat(Files.readString(root.resolve("x.backy"))).isEqualTo("new");
    assertThat(Files.readString(root.resolve("y.backy"))).isEqualTo("y.backy");
    assertThat(storage.list(ObjectReplacer.SUFFIX)).isEmpty();

    ObjectReplacer.replace(
        storage,
        "y.backy",
        out -> out.write("z".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(Files.readString(root.resolve("y.backy"))).isEqualTo("z");
    assertThat(storage.list(ObjectReplacer.SUFFIX)).isEmpty();
  }
}
