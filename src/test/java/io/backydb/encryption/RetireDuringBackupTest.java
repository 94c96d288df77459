package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.backup.BackupResult;
import io.backydb.encryption.KeyRotationRoundTripTest.Cli;
import io.backydb.format.BackyFormat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys retire --config} while an encrypted backup is being written: the backup took its key
 * when it started, and retire read only the headers of finished backups. Rotating during a backup
 * and retiring the old key before it ended left the backup, reported as made, wrapped by a deleted
 * key: unrestorable.
 */
class RetireDuringBackupTest {

  @TempDir Path dir;

  @Test
  void retireWhileABackupIsWritten_refusesItsKey_andNoOtherKey() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL)) {
      f.createSource();
      Path config = dir.resolve("backup.json");
      Files.writeString(
          config, new ObjectMapper().writeValueAsString(f.backupConfig("zstd", "hmac")));
      BackupResult first = f.backup("zstd", "hmac");
      String unused = KeyRotationRoundTripTest.keyId(Path.of(first.location()));
      // the first backup moves to the new key, which the next backup takes: the first key wraps
      // nothing any more
      Cli rotated = cli(f, "keys", "rotate", "--config", config.toString());
      assertThat(rotated.exit()).as(rotated.out() + rotated.err()).isZero();
      String taken = rotated.out().strip().lines().reduce((a, b) -> b).orElseThrow();

      CompletableFuture<BackupResult> running;
      String name;
      // a write lock on a table holds the backup in the middle of its dump
      try (Connection lock = EncryptionFixture.server.connect(f.source);
          Statement s = lock.createStatement()) {
        s.execute("LOCK TABLES " + EncryptionFixture.SECRET_TABLE + " WRITE");
        running = f.backupInBackground("zstd", "hmac");
        await().atMost(Duration.ofSeconds(60)).until(() -> f.backyBeingWritten() != null);
        name = f.backyBeingWritten().getFileName().toString().replaceFirst("^\\.", "");
        name = name.substring(0, name.indexOf(".backy.") + ".backy".length());
        Cli rotate = cli(f, "keys", "rotate", "--config", config.toString());
        assertThat(rotate.exit()).as(rotate.out() + rotate.err()).isZero();

        Cli retire = cli(f, "keys", "retire", "--key-id", taken, "--config", config.toString());
        assertThat(running).as("the backup still runs").isNotDone();
        assertThat(retire.exit()).as(retire.out() + retire.err()).isEqualTo(1);
        assertThat(retire.out()).isEmpty();
        assertThat(retire.err().strip())
            .isEqualTo(
                "backy: error: key "
                    + taken
                    + " wraps the data key of 1 backup(s) still being written in the config's"
                    + " storage ("
                    + name
                    + "): wait until they finish, re-wrap them (backy keys rotate --config FILE)"
                    + " and retire it then, or add --force to retire it and lose them");

        // a key the running backup does not use, its header says, is not held back by it
        await().atMost(Duration.ofSeconds(60)).until(() -> runningKey(f) != null);
        assertThat(runningKey(f)).isEqualTo(taken);
        Cli retireUnused =
            cli(f, "keys", "retire", "--key-id", unused, "--config", config.toString());
        assertThat(retireUnused.exit()).as(retireUnused.out() + retireUnused.err()).isZero();
        assertThat(retireUnused.out()).contains("Retired key " + unused);
        assertThat(running).as("the backup still runs").isNotDone();
      }
      BackupResult second = running.get();
      assertThat(Path.of(second.location()).getFileName().toString()).isEqualTo(name);
      assertThat(KeyRotationRoundTripTest.keyId(Path.of(second.location()))).isEqualTo(taken);

      // as the error says: once finished, the backup is re-wrapped and the key can go
      assertThat(cli(f, "keys", "rotate", "--config", config.toString()).exit()).isZero();
      Cli after = cli(f, "keys", "retire", "--key-id", taken, "--config", config.toString());
      assertThat(after.exit()).as(after.out() + after.err()).isZero();
      Cli verify = cli(f, "verify", second.location());
      assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    }
  }

  private static Cli cli(EncryptionFixture f, String... args) {
    return KeyRotationRoundTripTest.cli(f.env(), args);
  }

  /**
   * The key id in the header of the .backy temporary file being written, once the header is all
   * written; else null.
   */
  private static String runningKey(EncryptionFixture f) throws Exception {
    Path p = f.backyBeingWritten();
    if (p != null) {
      try (InputStream in = Files.newInputStream(p)) {
        return BackyFormat.readHeader(in, p.toString())
            .encryption()
            .path(io.backydb.format.BackyHeader.WRAPPED_KEYS)
            .get(0)
            .path("key_id")
            .asText();
      } catch (java.io.IOException | io.backydb.BackyException e) {
        // not all written yet
      }
    }
    return null;
  }
}
