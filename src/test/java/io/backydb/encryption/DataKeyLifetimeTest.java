package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.backup.BackupResult;
import io.backydb.camel.BackyExchange;
import io.backydb.camel.BackyRuntime;
import io.backydb.restore.RestoreJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data key a restore unwraps is overwritten once the restore is over, whether it restored the
 * backup or stopped at a damaged one: it does not stay in the heap of a long-running service (and
 * in its heap dumps) after the job.
 */
class DataKeyLifetimeTest {

  @TempDir static Path dir;
  static EncryptionFixture f;
  static BackupResult backup;

  @BeforeAll
  static void backup() throws Exception {
    f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL);
    f.createSource();
    backup = f.backup("zstd", null);
  }

  @AfterAll
  static void drop() throws Exception {
    f.close();
  }

  /** Sends a restore through the restore route; returns the exchange as the route left it. */
  static Exchange restore(String location, String target) throws Exception {
    Map<String, Object> config = EncryptionFixture.server.localRestoreConfig(target, location);
    config.put("require_hmac", false);
    try (BackyRuntime runtime = new BackyRuntime(f.env());
        ProducerTemplate template = runtime.context().createProducerTemplate()) {
      return template.send("direct:restore", e -> e.getMessage().setBody(config));
    }
  }

  static RestoreJob job(Exchange e) {
    return e.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
  }

  @Test
  void afterARestore_theDataKeyIsZero() throws Exception {
    String target = f.newTarget();
    try {
      Exchange done = restore(backup.location(), target);
      assertThat(done.getException()).isNull();
      assertThat(EncryptionFixture.server.checksums(target))
          .isEqualTo(EncryptionFixture.server.checksums(f.source));
      assertThat(job(done).dataKey()).as("the decrypt step unwrapped it").isNotNull();
      assertThat(job(done).dataKey().isDestroyed()).isTrue();
    } finally {
      EncryptionFixture.server.dropDatabase(target);
    }
  }

  @Test
  void afterARestoreThatFailedVerification_theDataKeyIsZero() throws Exception {
    Path copy = Path.of(backup.location()).resolveSibling("damaged.backy");
    byte[] bytes = Files.readAllBytes(Path.of(backup.location()));
    bytes[bytes.length / 2] ^= 1; // in the payload: the key unwraps, the payload fails to
    Files.write(copy, bytes);
    String target = f.newTarget();
    Exchange done = restore(copy.toString(), target);
    assertThat(done.getException()).hasMessageContaining("authentication failed");
    assertThat(EncryptionFixture.server.databaseExists(target)).isFalse();
    assertThat(job(done).dataKey()).as("the decrypt step unwrapped it").isNotNull();
    assertThat(job(done).dataKey().isDestroyed()).isTrue();
  }
}
