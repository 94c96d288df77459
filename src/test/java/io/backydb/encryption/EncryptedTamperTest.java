package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupEncryption;
import io.backydb.backup.BackupResult;
import io.backydb.codec.PayloadEncryption;
import io.backydb.config.Environment;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.keys.KeyProvider;
import io.backydb.keys.KeyProviders;
import io.backydb.keys.WrappedKey;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted backup that cannot be decrypted — wrong PRIVATE_KEY_PASSWORD, another key pair, a
 * KMS that refuses, a changed byte in the header or the payload, a changed wrapped data key — stops
 * the restore with one clear line before the target database is created. The backups here have no
 * integrity check, so the encryption alone catches the changes.
 */
class EncryptedTamperTest {

  @TempDir static Path dir;
  static EncryptionFixture f;
  static BackupResult plain;
  static BackupResult zstdHmac;
  static int copies;

  @BeforeAll
  static void backups() throws Exception {
    f = new EncryptionFixture(dir, EncryptionFixture.Provider.LOCAL);
    f.createSource();
    plain = f.backup(null, null);
    zstdHmac = f.backup("zstd", "hmac");
  }

  @AfterAll
  static void drop() throws Exception {
    f.close();
  }

  static Path copy(BackupResult b) throws Exception {
    Path file = Path.of(b.location());
    copies++;
    String name = b.metadata().name() + "_copy" + copies;
    Path copy = file.resolveSibling(name + ".backy");
    Files.copy(file, copy);
    return copy;
  }

  /** Restoring fails with one line containing {@code messages}, and the target stays absent. */
  static void refused(Path backup, Environment env, String... messages) throws Exception {
    String target = f.newTarget();
    ThrowingCallable restore = () -> f.restore(backup.toString(), target, env);
    assertThatThrownBy(restore)
        .isInstanceOf(BackyException.class)
        .hasMessageContainingAll(messages)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(EncryptionFixture.KEY_PASSWORD));
    assertThat(EncryptionFixture.server.databaseExists(target)).isFalse();
  }

  static long headerLength(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return BackyFormat.readHeader(in, file.toString()).bytes().length;
    }
  }

  /** Replaces the first {@code from} in the file's bytes by {@code to} (same length). */
  static void replace(Path file, String from, String to) throws Exception {
    String all = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    int at = all.indexOf(from);
    assertThat(at).isNotNegative();
    assertThat(to).hasSameSizeAs(from);
    Files.write(
        file,
        (all.substring(0, at) + to + all.substring(at + from.length()))
            .getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Rewrites the file with {@code header} in place of its own; payload and trailer unchanged. */
  static void rewriteHeader(Path file, BackyHeader header) throws Exception {
    byte[] all = Files.readAllBytes(file);
    int old = (int) headerLength(file);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(header.bytes());
      out.write(all, old, all.length - old);
    }
  }

  static BackyHeader header(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return BackyFormat.readHeader(in, file.toString());
    }
  }

  @Test
  void intactCopy_restores() throws Exception {
    String target = f.newTarget();
    try {
      f.restore(copy(plain).toString(), target, f.env());
      assertThat(EncryptionFixture.server.checksums(target))
          .isEqualTo(EncryptionFixture.server.checksums(f.source));
    } finally {
      EncryptionFixture.server.dropDatabase(target);
    }
  }

  @Test
  void wrongPrivateKeyPassword_isRefused() throws Exception {
    refused(copy(plain), f.env("not the password"), "PRIVATE_KEY_PASSWORD is wrong");
  }

  /**
   * A wrapped key's key id is not authenticated: changed to one this keystore lacks, it looked like
   * the wrong keystore (a configuration error, exit 2). The keystore's own key unwraps the data
   * key, which proves the header was changed: a damaged backup (exit 1).
   */
  @Test
  void changedKeyIdInTheHeader_isADamagedBackup_notAMissingKey() throws Exception {
    Path c = copy(plain);
    String keyId =
        header(c).encryption().path(BackyHeader.WRAPPED_KEYS).get(0).path("key_id").asText();
    String other = (keyId.charAt(0) == '0' ? "1" : "0") + keyId.substring(1);
    replace(c, "\"key_id\":\"" + keyId, "\"key_id\":\"" + other);
    refused(
        c,
        f.env(),
        "names key " + other + " for its data key, which key " + keyId,
        "the header was changed");
    assertThatThrownBy(() -> f.restore(c.toString(), f.newTarget(), f.env()))
        .satisfies(
            e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
  }

  /** The sidecar names the key that wrapped the data key, as the header does, or was changed. */
  @Test
  void aSidecarNamingAnotherKey_isRefused() throws Exception {
    Path c = copy(plain);
    String name = plain.metadata().name();
    Path sidecar = c.resolveSibling(c.getFileName().toString().replace(".backy", ".metadata.json"));
    String meta =
        Files.readString(Path.of(plain.location()).resolveSibling(name + ".metadata.json"));
    String keyId = plain.metadata().encryption().keyId();
    Files.writeString(sidecar, meta.replace(keyId, "0123456789abcdef"));
    refused(
        c,
        f.env(),
        "failed verification: its metadata sidecar says encryption AES256_GCM_HKDF_1MB local key"
            + " 0123456789abcdef, the file's header says AES256_GCM_HKDF_1MB local key "
            + keyId);
  }

  @Test
  void anotherKeyPair_isRefused() throws Exception {
    Environment other = f.env(EncryptionFixture.KEY_PASSWORD, dir.resolve("other-keys"));
    // the other keystore has a key pair of its own
    try (KeyProvider p =
        KeyProviders.forConfig(
            new io.backydb.config.SecurityConfig(true, "keystore", "local", 2048, null), other)) {
      p.newDataKey("x").destroy();
    }
    refused(copy(plain), other, "is not in");
    // the keystore holds no key that unwraps it: the wrong keystore, a configuration error (exit 2)
    assertThatThrownBy(() -> f.restore(copy(plain).toString(), f.newTarget(), other))
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
  }

  @Test
  void flippedHeaderByte_isRefused() throws Exception {
    Path c = copy(plain);
    String created = header(c).created().toString();
    // 2026-… becomes 3026-…: still a valid header, but not the authenticated one
    replace(c, "\"created\":\"" + created, "\"created\":\"3" + created.substring(1));
    refused(c, f.env(), PayloadEncryption.UNAUTHENTICATED);
  }

  @Test
  void flippedHeaderByte_withHmac_isRefused() throws Exception {
    Path c = copy(zstdHmac);
    String created = header(c).created().toString();
    replace(c, "\"created\":\"" + created, "\"created\":\"3" + created.substring(1));
    refused(c, f.env(), "failed verification");
  }

  @Test
  void flippedPayloadByte_isRefused() throws Exception {
    for (BackupResult b : List.of(plain, zstdHmac)) {
      Path c = copy(b);
      byte[] all = Files.readAllBytes(c);
      all[(int) headerLength(c) + 5000] ^= 0x01;
      Files.write(c, all);
      refused(c, f.env(), "failed verification");
    }
  }

  @Test
  void changedWrappedKeyBytes_failToUnwrap() throws Exception {
    Path c = copy(plain);
    String wrapped =
        header(c).encryption().path(BackyHeader.WRAPPED_KEYS).get(0).path("wrapped_key").asText();
    String changed = wrapped.charAt(10) == 'A' ? "B" : "A";
    replace(c, wrapped, wrapped.substring(0, 10) + changed + wrapped.substring(11));
    refused(c, f.env(), "does not unwrap");
  }

  @Test
  void wrappedKeyOfAnotherBackup_failsToUnwrap() throws Exception {
    Path c = copy(plain);
    BackyHeader other = header(Path.of(zstdHmac.location()));
    rewriteHeader(c, header(c).withWrappedKeys(other.encryption().get(BackyHeader.WRAPPED_KEYS)));
    refused(c, f.env(), "does not unwrap");
  }

  @Test
  void anotherDataKeyWrappedForThisBackup_failsAuthentication() throws Exception {
    // anyone with the public key can wrap a data key of their own for this backup id: it unwraps,
    // but the payload does not authenticate under it
    Path c = copy(plain);
    BackyHeader h = header(c);
    byte[] forged = new byte[32];
    new SecureRandom().nextBytes(forged);
    WrappedKey w;
    try (KeyProvider p =
        KeyProviders.forConfig(
            new io.backydb.config.SecurityConfig(true, "keystore", "local", 2048, null), f.env())) {
      w = p.wrap(forged, h.backupId());
    }
    rewriteHeader(c, h.withWrappedKeys(BackupEncryption.wrappedKeys(List.of(w))));
    refused(c, f.env(), PayloadEncryption.UNAUTHENTICATED);
  }

  @Test
  void wrappedKeyRemoved_isRefused() throws Exception {
    Path c = copy(plain);
    rewriteHeader(
        c,
        header(c)
            .withWrappedKeys(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()));
    refused(c, f.env(), "holds no wrapped data key");
  }
}
