package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.backup.BackupResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key service that refuses to unwrap the data key (KMS Decrypt denied, Secret Manager permission
 * denied) stops the restore with one line before the target database is created.
 */
class ProviderRefusesTest {

  @TempDir Path dir;

  @Test
  void kmsRefusingDecrypt_stopsTheRestore() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.AWS)) {
      f.createSource();
      BackupResult b = f.backup("zstd", "hmac");
      f.kms.deny("Decrypt");
      refused(f, b, "AWS KMS refused Decrypt", "AccessDeniedException");
    }
  }

  @Test
  void secretManagerRefusing_stopsTheRestore() throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, EncryptionFixture.Provider.GCP)) {
      f.createSource();
      BackupResult b = f.backup(null, null);
      f.gcp.denyAll();
      refused(f, b, "Google Secret Manager", "PERMISSION_DENIED");
    }
  }

  static void refused(EncryptionFixture f, BackupResult b, String... messages) throws Exception {
    String target = f.newTarget();
    assertThatThrownBy(() -> f.restore(b.location(), target, f.env()))
        .isInstanceOf(BackyException.class)
        .hasMessageContainingAll(messages)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(EncryptionFixture.server.databaseExists(target)).isFalse();
  }
}
