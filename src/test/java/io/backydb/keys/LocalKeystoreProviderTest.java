package io.backydb.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LocalKeystoreProviderTest {

  static final String PASSWORD = "correct horse battery staple";

  /** Cheap PBKDF2 and small RSA keys: these tests are about behaviour, not strength. */
  static final int CHEAP_ITERATIONS = 1000;

  static final int TEST_KEY_SIZE = 2048;

  @TempDir Path tmp;

  static LocalKeystoreProvider keystore(Path dir, String password) {
    return new LocalKeystoreProvider(dir, password.toCharArray(), TEST_KEY_SIZE, CHEAP_ITERATIONS);
  }

  static byte[] dek() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  /**
   * A backup into a mistyped LOCAL_KEY_STORE_PATH made a keystore there without a word; the new key
   * pair is now named in the log, once, with where it is and what to keep.
   */
  @Test
  void firstUse_saysInTheLogWhereTheNewKeyPairIs() throws Exception {
    Path dir = tmp.resolve("keys");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(RsaKeystore.class);
    logger.addAppender(log);
    try {
      String id;
      try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
        id = ks.wrap(dek(), "b1").keyId();
        ks.wrap(dek(), "b2");
      }
      try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
        ks.wrap(dek(), "b3");
      }
      assertThat(log.list)
          .filteredOn(e -> e.getLevel() == Level.WARN)
          .extracting(ILoggingEvent::getFormattedMessage)
          .singleElement()
          .asString()
          .startsWith(
              "LOCAL_KEY_STORE_PATH " + dir + " had no current key: generated key pair " + id)
          .contains("PRIVATE_KEY_PASSWORD")
          .doesNotContain(PASSWORD);
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void firstUse_generatesAnOwnerOnlyKeyPairWithEncryptedPrivateKey() throws Exception {
    Path dir = tmp.resolve("keys");
    String id;
    try (LocalKeystoreProvider ks = keystore(dir, PASSWORD)) {
      assertThat(ks.hasCurrentKey()).isFalse();
      id = ks.wrap(dek(), "b1").keyId();
      assertThat(ks.hasCurrentKey()).isTrue();
      assertThat(ks.currentKeyId()).isEqualTo(id).matches("[0-9a-f]{16}");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "current",
              LocalKeystoreProvider.publicFile(id),
              LocalKeystoreProvider.privateFile(id));
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.toString())
            .isEqualTo("rw-------");
      }
    }
    String priv = Files.readString(dir.resolve(LocalKeystoreProvider.privateFile(id)));
    assertThat(priv)
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        .doesNotContain("BEGIN PRIVATE KEY")
        .doesNotContain("BEGIN RSA PRIVATE KEY")
        .doesNotContain(PASSWORD);
    assertThat(Files.readString(dir.resolve(LocalKeystoreProvider.publicFile(id))))
        .startsWith("-----BEGIN PUBLIC KEY-----");
    // the key id is the fingerprint of the public key
    PublicKey pub =
        RsaKeys.readPublic(
            Files.readString(dir.resolve(LocalKeystoreProvider.publicFile(id))), "test");
    assertThat(RsaKeys.keyId(pub)).isEqualTo(id);
  }

  @Test
  void wrapUnwrap_roundTripWithAFreshProviderReadingTheFiles() {
    byte[] dek = dek();
    WrappedKey w;
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      w = ks.wrap(dek, "backup-1");
    }
    assertThat(w.provider()).isEqualTo("local");
    assertThat(w.algorithm()).isEqualTo(WrappedKey.RSA_OAEP_SHA256);
    assertThat(w.wrapped()).hasSize(TEST_KEY_SIZE / 8).isNotEqualTo(dek);
    assertThat(w.context()).isEqualTo(Map.of("backup_id", "backup-1"));
    try (LocalKeystoreProvider restore = keystore(tmp, PASSWORD)) {
      assertThat(restore.unwrap(w, "backup-1")).isEqualTo(dek);
    }
  }

  /**
   * A private key copied in with looser permissions works (it is encrypted), with one warning
   * naming it, however often it is read; an owner-only one brings none.
   */
  @Test
  void aPrivateKeyOthersMayRead_isAWarningNamingItOnce() throws Exception {
    byte[] dek = dek();
    WrappedKey w;
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      w = ks.wrap(dek, "backup-1");
    }
    Path key = tmp.resolve("backydb-" + w.keyId() + ".key.pem");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(LocalKeystoreProvider.class);
    logger.addAppender(log);
    try {
      try (LocalKeystoreProvider restore = keystore(tmp, PASSWORD)) {
        assertThat(restore.unwrap(w, "backup-1")).isEqualTo(dek);
      }
      assertThat(log.list).isEmpty();

      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
      try (LocalKeystoreProvider restore = keystore(tmp, PASSWORD)) {
        assertThat(restore.unwrap(w, "backup-1")).isEqualTo(dek);
        assertThat(restore.unwrap(w, "backup-1")).isEqualTo(dek);
      }
      assertThat(log.list)
          .filteredOn(e -> e.getLevel() == Level.WARN)
          .extracting(ILoggingEvent::getFormattedMessage)
          .singleElement()
          .asString()
          .startsWith("private key file " + key + " can be read by other users (rw-r--r--)")
          .contains("chmod 600")
          .doesNotContain(PASSWORD);
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void wrapping_isRsaOaepWithSha256AndMgf1Sha256AndTheBackupIdAsLabel() throws Exception {
    byte[] dek = dek();
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      WrappedKey w = ks.wrap(dek, "b-42");
      String pem = Files.readString(tmp.resolve(LocalKeystoreProvider.privateFile(w.keyId())));
      PublicKey pub =
          RsaKeys.readPublic(
              Files.readString(tmp.resolve(LocalKeystoreProvider.publicFile(w.keyId()))), "t");
      PrivateKey priv = PrivateKeyPem.read(pem, PASSWORD.toCharArray(), pub, "t");

      Cipher explicit = Cipher.getInstance("RSA/ECB/OAEPPadding");
      explicit.init(
          Cipher.DECRYPT_MODE,
          priv,
          new OAEPParameterSpec(
              "SHA-256",
              "MGF1",
              MGF1ParameterSpec.SHA256,
              new PSource.PSpecified("backydb:backup:b-42".getBytes(StandardCharsets.UTF_8))));
      assertThat(explicit.doFinal(w.wrapped())).isEqualTo(dek);

      // the JDK's "OAEPWithSHA-256AndMGF1Padding" default (MGF1-SHA-1, empty label) does not fit
      Cipher jdkDefault = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
      jdkDefault.init(Cipher.DECRYPT_MODE, priv);
      assertThatThrownBy(() -> jdkDefault.doFinal(w.wrapped()))
          .isInstanceOf(javax.crypto.BadPaddingException.class);
    }
  }

  @Test
  void privateKeyFile_isStandardEncryptedPkcs8ThatOpensslReads() throws Exception {
    Path openssl = Path.of("/usr/bin/openssl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(openssl), "no openssl");
    String id;
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      id = ks.currentKeyId();
    }
    Path file = tmp.resolve(LocalKeystoreProvider.privateFile(id));
    assertThat(openssl(openssl, file, PASSWORD)).startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(openssl(openssl, file, "wrong")).isNull();
  }

  /** The public key openssl derives from the private key file, or null if it cannot read it. */
  static String openssl(Path openssl, Path keyFile, String password) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                openssl.toString(),
                "pkey",
                "-in",
                keyFile.toString(),
                "-passin",
                "env:PW",
                "-pubout")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PW", password);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? out : null;
  }

  @Test
  void wrongPrivateKeyPassword_isAClearConfigError() {
    WrappedKey w;
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      w = ks.wrap(dek(), "b1");
    }
    try (LocalKeystoreProvider wrong = keystore(tmp, "not the password")) {
      assertThatThrownBy(() -> wrong.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("PRIVATE_KEY_PASSWORD is wrong")
          .hasMessageContaining(w.keyId())
          .hasMessageNotContaining("not the password")
          .hasMessageNotContaining(PASSWORD)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void differentKeyPair_isAClearConfigErrorNamingTheKey() {
    WrappedKey w;
    try (LocalKeystoreProvider ks = keystore(tmp.resolve("a"), PASSWORD)) {
      w = ks.wrap(dek(), "b1");
    }
    try (LocalKeystoreProvider other = keystore(tmp.resolve("b"), PASSWORD)) {
      other.currentKeyId();
      assertThatThrownBy(() -> other.unwrap(w, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("key " + w.keyId() + " that wrapped the data key of backup b1")
          .hasMessageContaining("is not in LOCAL_KEY_STORE_PATH");
    }
  }

  @Test
  void wrappedKeyOfAnotherBackup_doesNotUnwrap() {
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      WrappedKey w = ks.wrap(dek(), "b1");
      assertThatThrownBy(() -> ks.unwrap(w, "b2"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
          .hasMessageContaining("does not unwrap with key " + w.keyId());
    }
  }

  @Test
  void changedWrappedKeyByte_doesNotUnwrap() {
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      WrappedKey w = ks.wrap(dek(), "b1");
      byte[] bytes = w.wrapped();
      bytes[10] ^= 1;
      WrappedKey changed =
          new WrappedKey(w.provider(), w.keyId(), w.algorithm(), bytes, w.context());
      assertThatThrownBy(() -> ks.unwrap(changed, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
    }
  }

  @Test
  void keyIdFromAHeader_isNeverUsedAsAPath() {
    try (LocalKeystoreProvider ks = keystore(tmp.resolve("ks"), PASSWORD)) {
      WrappedKey w = ks.wrap(dek(), "b1");
      WrappedKey evil = new WrappedKey("local", "../ks/x", w.algorithm(), w.wrapped(), w.context());
      // no file ../ks/x is looked for: the id names no key of the keystore, whose own key then
      // shows the header was changed
      assertThatThrownBy(() -> ks.unwrap(evil, "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
          .hasMessageContaining("names key ../ks/x for its data key, which key " + w.keyId())
          .hasMessageContaining("the header was changed");
    }
  }

  @Test
  void keySizeBelow2048_isRefused() {
    try (LocalKeystoreProvider ks =
        new LocalKeystoreProvider(tmp, PASSWORD.toCharArray(), 1024, CHEAP_ITERATIONS)) {
      assertThatThrownBy(ks::currentKeyId)
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("security.key_size 1024 is too small");
    }
  }

  /** A config built in Java is held to the loader's rule, even where no key pair is generated. */
  @Test
  void keySizeBelow2048_inAConfigBuiltInJava_isRefusedWhenAKeyPairAlreadyExists() {
    try (LocalKeystoreProvider made = keystore(tmp, PASSWORD)) {
      made.currentKeyId();
    }
    Environment env =
        Environment.of(
            Map.of(
                Environment.LOCAL_KEY_STORE_PATH,
                tmp.toString(),
                Environment.PRIVATE_KEY_PASSWORD,
                PASSWORD));
    assertThatThrownBy(
            () ->
                KeyProviders.forConfig(
                    new SecurityConfig(true, "keystore", "local", 1024, null), env))
        .isInstanceOfSatisfying(
            BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessage("security.key_size 1024 is too small: use at least 2048 (default 4096)");
  }

  @Test
  void rotate_keepsOldKeysUntilRetired_andRefusesToRetireTheCurrentOne() {
    byte[] dek = dek();
    try (LocalKeystoreProvider ks = keystore(tmp, PASSWORD)) {
      WrappedKey old = ks.wrap(dek, "b1");
      String next = ks.rotate();
      assertThat(next).isNotEqualTo(old.keyId());
      assertThat(ks.currentKeyId()).isEqualTo(next);
      assertThat(ks.keyIds()).containsExactly(next, old.keyId());
      assertThat(ks.wrap(dek, "b2").keyId()).isEqualTo(next);
      assertThat(ks.unwrap(old, "b1")).isEqualTo(dek);

      assertThatThrownBy(() -> ks.retire(next))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REFUSED))
          .hasMessageContaining("is the current key");

      ks.retire(old.keyId());
      assertThat(ks.keyIds()).containsExactly(next);
      assertThat(Files.exists(tmp.resolve(LocalKeystoreProvider.privateFile(old.keyId()))))
          .isFalse();
      assertThatThrownBy(() -> ks.unwrap(old, "b1"))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("is not in LOCAL_KEY_STORE_PATH");
    }
  }

  @Test
  void forConfigAndForHeader_readTheEnvironment() {
    Environment env =
        Environment.of(
            Map.of(
                Environment.LOCAL_KEY_STORE_PATH,
                tmp.toString(),
                Environment.PRIVATE_KEY_PASSWORD,
                PASSWORD));
    byte[] dek = dek();
    WrappedKey w;
    try (KeyProvider p =
        KeyProviders.forConfig(
            new SecurityConfig(true, "keystore", "local", TEST_KEY_SIZE, null), env)) {
      assertThat(p).isInstanceOf(LocalKeystoreProvider.class);
      w = p.wrap(dek, "b1");
    }
    try (KeyProvider p = KeyProviders.forHeader(w, env)) {
      assertThat(p.unwrap(w, "b1")).isEqualTo(dek);
    }
  }

  @Test
  void missingPassword_isNeededOnlyToMakeOrReadAPrivateKey() throws Exception {
    Path keys = tmp.resolve("keys");
    Environment env = Environment.of(Map.of(Environment.LOCAL_KEY_STORE_PATH, keys.toString()));
    SecurityConfig sc = new SecurityConfig(true, "keystore", "local", TEST_KEY_SIZE, null);
    try (KeyProvider p = KeyProviders.forConfig(sc, env)) {
      assertThatThrownBy(() -> p.wrap(dek(), "b1"))
          .as("the first key pair needs the password")
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageContaining("PRIVATE_KEY_PASSWORD is not set");
    }
    assertThat(keys).doesNotExist();

    byte[] dek = dek();
    WrappedKey w;
    try (LocalKeystoreProvider made = keystore(keys, PASSWORD)) {
      made.currentKeyId();
    }
    try (KeyProvider p = KeyProviders.forConfig(sc, env)) {
      w = p.wrap(dek, "b1");
      assertThatThrownBy(() -> p.unwrap(w, "b1"))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("PRIVATE_KEY_PASSWORD is not set");
    }
    try (LocalKeystoreProvider withPassword = keystore(keys, PASSWORD)) {
      assertThat(withPassword.unwrap(w, "b1")).isEqualTo(dek);
    }
  }

  @Test
  void aPublicKeyAlone_wrapsButCannotUnwrap() throws Exception {
    Path keys = tmp.resolve("keys");
    String id;
    try (LocalKeystoreProvider made = keystore(keys, PASSWORD)) {
      id = made.currentKeyId();
    }
    Path vault = Files.createDirectory(tmp.resolve("vault"));
    Path privateKey = keys.resolve(LocalKeystoreProvider.privateFile(id));
    Files.move(privateKey, vault.resolve(privateKey.getFileName()));
    byte[] dek = dek();
    WrappedKey w;
    try (KeyProvider p =
        KeyProviders.forConfig(
            new SecurityConfig(true, "keystore", "local", TEST_KEY_SIZE, null),
            Environment.of(Map.of(Environment.LOCAL_KEY_STORE_PATH, keys.toString())))) {
      w = p.wrap(dek, "b1");
      assertThat(w.keyId()).isEqualTo(id);
      assertThat(((Keystore) p).keyIds()).containsExactly(id);
      assertThatThrownBy(() -> p.unwrap(w, "b1"))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("key " + id + " that wrapped the data key of backup b1 is not in");
    }
    Files.move(vault.resolve(privateKey.getFileName()), privateKey);
    try (LocalKeystoreProvider whole = keystore(keys, PASSWORD)) {
      assertThat(whole.unwrap(w, "b1")).isEqualTo(dek);
    }
  }

  /**
   * Key files without {@code current} (a backup host given the public key alone, a lost {@code
   * current}): a backup made a new key pair beside them without a word.
   */
  @Test
  void keyPairsWithoutCurrent_areRefused_notJoinedByANewKeyPair() throws Exception {
    Path keys = tmp.resolve("keys");
    String id;
    try (LocalKeystoreProvider made = keystore(keys, PASSWORD)) {
      id = made.currentKeyId();
    }
    Files.delete(keys.resolve(LocalKeystoreProvider.CURRENT_FILE));
    try (LocalKeystoreProvider ks = keystore(keys, PASSWORD)) {
      assertThatThrownBy(() -> ks.wrap(dek(), "b1"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessage(
              "LOCAL_KEY_STORE_PATH "
                  + keys
                  + " holds key pairs ("
                  + id
                  + ") but no file current naming the one new backups use: copy current from the"
                  + " keystore, or run backy keys rotate to make a new current key");
      assertThat(ks.keyIds()).as("no key pair was added").containsExactly(id);
      String next = ks.rotate();
      assertThat(ks.currentKeyId()).as("rotate is the way out").isEqualTo(next);
    }
  }

  /** It said "use the keystore the backup was made with" to someone making a backup. */
  @Test
  void aCurrentKeyWhoseFilesAreGone_isNamedAsTheCurrentKey() throws Exception {
    Path keys = tmp.resolve("keys");
    String id;
    try (LocalKeystoreProvider made = keystore(keys, PASSWORD)) {
      id = made.currentKeyId();
    }
    Files.delete(keys.resolve(LocalKeystoreProvider.publicFile(id)));
    Files.delete(keys.resolve(LocalKeystoreProvider.privateFile(id)));
    try (LocalKeystoreProvider ks = keystore(keys, PASSWORD)) {
      assertThatThrownBy(() -> ks.wrap(dek(), "b1"))
          .isInstanceOf(BackyException.class)
          .hasMessage(
              "key "
                  + id
                  + ", the current key of LOCAL_KEY_STORE_PATH "
                  + keys
                  + ", is not there: put its key pair back, or make a new current key with backy"
                  + " keys rotate");
    }
  }

  /** The advice was "run backy keys rotate", which stopped on the same file. */
  @Test
  void aCurrentFileWithoutAKeyId_namesTheKeysAndAWayOutThatWorks() throws Exception {
    Path keys = tmp.resolve("keys");
    String id;
    try (LocalKeystoreProvider made = keystore(keys, PASSWORD)) {
      id = made.currentKeyId();
    }
    Path current = keys.resolve(LocalKeystoreProvider.CURRENT_FILE);
    Files.writeString(current, "garbage\n");
    try (LocalKeystoreProvider ks = keystore(keys, PASSWORD)) {
      assertThatThrownBy(ks::rotate)
          .isInstanceOf(BackyException.class)
          .hasMessage(
              current
                  + " does not hold a key id: write into it the id of the key pair new backups"
                  + " use (this keystore holds "
                  + id
                  + "), or delete it and run backy keys rotate to make a new key");
      Files.delete(current);
      String next = ks.rotate();
      assertThat(ks.keyIds()).containsExactly(next, id);
    }
  }

  @Test
  void unknownTypeOrProvider_isAConfigError() {
    Environment env = Environment.of(Map.of());
    assertThatThrownBy(
            () ->
                KeyProviders.forConfig(
                    new SecurityConfig(true, "vault", null, TEST_KEY_SIZE, null), env))
        .hasMessageContaining("security.type 'vault' is unknown");
    assertThatThrownBy(
            () ->
                KeyProviders.forConfig(
                    new SecurityConfig(true, "keystore", "aws", TEST_KEY_SIZE, null), env))
        .hasMessageContaining("security.provider 'aws' does not go with security.type keystore");
  }
}
