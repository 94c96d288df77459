package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.backup.BackupJob;
import io.backydb.backup.BackupResult;
import io.backydb.camel.BackyExchange;
import io.backydb.camel.BackyRuntime;
import io.backydb.codec.IntegrityKey;
import io.backydb.restore.RestoreJob;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HMAC key derived from INTEGRITY_PASSWORD is overwritten once its backup or restore is over,
 * whether it succeeded or stopped at a damaged backup, as the data key is (DataKeyLifetimeTest): it
 * does not stay in the heap of a long-running service (and in its heap dumps) after the job.
 */
class IntegrityKeyLifetimeTest {

  @TempDir static Path dir;
  static ContainerFixture f;

  @BeforeAll
  static void source() throws Exception {
    f = new ContainerFixture(dir);
    f.createSource();
  }

  @AfterAll
  static void drop() throws Exception {
    f.dropAll();
  }

  @AfterEach
  void dropTarget() throws Exception {
    ContainerFixture.server.dropDatabase(f.target);
  }

  /** Sends {@code body} to {@code route}; returns the exchange as the route left it. */
  static Exchange send(String route, Object body) throws Exception {
    try (BackyRuntime runtime = new BackyRuntime(f.environment(ContainerFixture.PASSWORD));
        ProducerTemplate template = runtime.context().createProducerTemplate()) {
      return template.send(route, e -> e.getMessage().setBody(body));
    }
  }

  /** Backs up through the backup route; checks its HMAC key is overwritten; returns the backup. */
  static BackupResult backup(String compression) throws Exception {
    Exchange done =
        send("direct:backup", ContainerFixture.backupConfig(f.source, compression, false, "hmac"));
    assertThat(done.getException()).isNull();
    IntegrityKey key = done.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class).integrityKey();
    assertThat(key.type()).isEqualTo("hmac");
    assertThat(key.isDestroyed()).as("the HMAC key after the backup").isTrue();
    return done.getMessage().getBody(BackupResult.class);
  }

  /** The key the restore's verify step derived, kept on the backup it read. */
  static IntegrityKey restoreKey(Exchange done) {
    return done.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class).source().integrityKey();
  }

  @Test
  void afterABackupAndARestoreOfABackyFile_theHmacKeyIsZero() throws Exception {
    BackupResult b = backup("zstd");
    restoresAndZeroesItsKey(b);
  }

  @Test
  void afterABackupAndARestoreOfPlainSql_theHmacKeyIsZero() throws Exception {
    BackupResult b = backup(null);
    assertThat(b.location()).endsWith(".sql");
    restoresAndZeroesItsKey(b);
  }

  @Test
  void afterARestoreThatFailedVerification_theHmacKeyIsZero() throws Exception {
    Path file = Path.of(backup("zstd").location());
    Path damaged = file.resolveSibling("damaged.backy");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1; // in the payload: the key derives, the HMAC does not match
    Files.write(damaged, bytes);
    Exchange done =
        send(
            "direct:restore",
            ContainerFixture.server.localRestoreConfig(f.target, damaged.toString()));
    assertThat(done.getException()).isNotNull();
    assertThat(ContainerFixture.server.databaseExists(f.target)).isFalse();
    assertThat(restoreKey(done)).as("the verify step derived it").isNotNull();
    assertThat(restoreKey(done).isDestroyed()).isTrue();
  }

  /** Restores {@code b} intact, and finds the HMAC key its verify step derived zeroed. */
  private void restoresAndZeroesItsKey(BackupResult b) throws Exception {
    Exchange done =
        send("direct:restore", ContainerFixture.server.localRestoreConfig(f.target, b.location()));
    assertThat(done.getException()).isNull();
    assertThat(ContainerFixture.server.checksums(f.target))
        .isEqualTo(ContainerFixture.server.checksums(f.source));
    assertThat(restoreKey(done)).as("the verify step derived it").isNotNull();
    assertThat(restoreKey(done).isDestroyed()).isTrue();
  }
}
