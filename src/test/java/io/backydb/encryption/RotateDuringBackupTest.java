package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.backup.BackupResult;
import io.backydb.encryption.KeyRotationRoundTripTest.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys rotate --config} while an encrypted backup is being written: the backup took the old
 * key when it started and is no file yet, so nothing re-wraps it. The rotation said "re-wrapped N,
 * 0 failed" and advised {@code backy keys retire --key-id OLD} (without {@code --config}, which
 * checks no storage): following it made the newest backup unrestorable.
 */
class RotateDuringBackupTest {

  @TempDir Path dir;

  @Test
  void rotateWhileABackupIsWritten_namesIt_andTheRetireAdviceChecksTheStorage() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      BackupResult first = f.backup("zstd", "hmac");
      String oldKey = KeyRotationRoundTripTest.keyId(Path.of(first.location()));
      Path config = dir.resolve("backup.json");
      Files.writeString(
          config, new ObjectMapper().writeValueAsString(f.backupConfig("zstd", "hmac")));

      CompletableFuture<BackupResult> running;
      Cli rotate;
      // a write lock on a table holds the backup in the middle of its dump
      try (Connection lock = EncryptionFixture.server.connect(f.source);
          Statement s = lock.createStatement()) {
        s.execute("LOCK TABLES " + EncryptionFixture.SECRET_TABLE + " WRITE");
        running = f.backupInBackground("zstd", "hmac");
        await().atMost(Duration.ofSeconds(60)).until(() -> f.backyBeingWritten() != null);
        rotate =
            KeyRotationRoundTripTest.cli(f.env(), "keys", "rotate", "--config", config.toString());
      }
      BackupResult second = running.get();
      Path written = Path.of(second.location());

      assertThat(rotate.exit()).as(rotate.out() + rotate.err()).isZero();
      assertThat(rotate.out()).contains("Re-wrapped 1 backup(s)");
      // what the rotation could not change: the backup it did not see is wrapped by the old key
      assertThat(KeyRotationRoundTripTest.keyId(written)).isEqualTo(oldKey);
      assertThat(rotate.err().strip())
          .startsWith("backy: warning: 1 backup(s) were being written while the key changed")
          .contains(written.getFileName().toString())
          .contains("need key " + oldKey)
          .doesNotContain("\n");
      assertThat(rotate.out())
          .contains("backy keys retire --key-id " + oldKey + " --config " + config);
      // the advice, followed, keeps the key the new backup needs
      Cli retire =
          KeyRotationRoundTripTest.cli(
              f.env(), "keys", "retire", "--key-id", oldKey, "--config", config.toString());
      assertThat(retire.exit()).isEqualTo(1);
      assertThat(retire.err()).contains(written.getFileName().toString());

      // rotating again, as the warning says, re-wraps it
      Cli again =
          KeyRotationRoundTripTest.cli(f.env(), "keys", "rotate", "--config", config.toString());
      assertThat(again.exit()).as(again.out() + again.err()).isZero();
      assertThat(again.err()).isEmpty();
      assertThat(KeyRotationRoundTripTest.keyId(written)).isNotEqualTo(oldKey);
    }
  }

  /**
   * A backup commits its file, then writes its sidecar (the file's size and SHA-256). A rotation
   * that came in between re-wrapped the file, whose sidecar, written next, described it as it had
   * been: the backup, reported as made, failed verification and every restore.
   */
  @Test
  void rotateBetweenABackupsFileAndItsSidecar_leavesTheFileAsTheSidecarDescribesIt()
      throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      BackupResult made = f.backup("zstd", "hmac");
      Path file = Path.of(made.location());
      String oldKey = KeyRotationRoundTripTest.keyId(file);
      Path config = dir.resolve("backup.json");
      Files.writeString(
          config, new ObjectMapper().writeValueAsString(f.backupConfig("zstd", "hmac")));
      // the moment between the file's commit and the sidecar's
      Path sidecar = file.resolveSibling(made.metadata().name() + ".metadata.json");
      byte[] sidecarBytes = Files.readAllBytes(sidecar);
      Files.delete(sidecar);
      byte[] before = Files.readAllBytes(file);

      Cli rotate =
          KeyRotationRoundTripTest.cli(f.env(), "keys", "rotate", "--config", config.toString());
      Files.write(sidecar, sidecarBytes); // the backup writes its sidecar

      assertThat(rotate.exit()).as(rotate.out() + rotate.err()).isZero();
      Cli verify = KeyRotationRoundTripTest.cli(f.env(), "verify", made.location());
      assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
      assertThat(rotate.err().strip())
          .startsWith("backy: warning: 1 backup(s) were being written while the key changed")
          .contains(file.getFileName().toString())
          .contains("need key " + oldKey);
    }
  }
}
