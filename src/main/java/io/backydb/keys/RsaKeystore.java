package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two RSA keystores share: the current key pair wraps, the key pair the header names
 * unwraps, rotation adds a key pair and makes it current. Subclasses only store PEM texts and the
 * current key id.
 */
abstract class RsaKeystore implements Keystore {

  private static final Logger LOG = LoggerFactory.getLogger(RsaKeystore.class);

  /** A stored key pair: public key PEM and encrypted PKCS#8 private key PEM. */
  record StoredKeyPair(String publicPem, String privatePem) {}

  private final KeyPassword password;
  private final int keySize;
  private final int iterations;
  private final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();
  private final Map<String, PrivateKey> privateKeys = new ConcurrentHashMap<>();

  RsaKeystore(KeyPassword password, int keySize, int iterations) {
    this.password = password;
    this.keySize = keySize;
    this.iterations = iterations;
  }

  @Override
  public abstract String where();

  abstract Optional<String> readCurrentId();

  abstract void writeCurrentId(String keyId);

  abstract Optional<StoredKeyPair> read(String keyId);

  /** The public key's PEM alone: all a backup needs, so a store may hold it without the rest. */
  Optional<String> readPublicPem(String keyId) {
    return read(keyId).map(StoredKeyPair::publicPem);
  }

  abstract void write(String keyId, StoredKeyPair pair);

  abstract void delete(String keyId);

  abstract List<String> storedIds();

  /**
   * Deletes what an interrupted creation of key pair {@code keyId} left, if that is all there is of
   * it; whether it did. By default there is no such thing.
   */
  boolean deleteUnfinished(String keyId) {
    return false;
  }

  /**
   * Refuses to make a first key pair where that would hide a mistake rather than start a keystore;
   * by default nothing is refused (listing a remote store may need a permission a backup lacks).
   */
  void checkFirstUse() {}

  /**
   * The current key id; on first use a new key pair, said in the log: a backup whose keystore
   * location was mistyped made a keystore of its own there without a word, and its backups could
   * only be restored with a key nobody knew to keep.
   */
  @Override
  public synchronized String currentKeyId() {
    return readCurrentId()
        .orElseGet(
            () -> {
              checkFirstUse();
              String id = rotate();
              LOG.warn(
                  "{} had no current key: generated key pair {}. Keep a copy of it and of"
                      + " PRIVATE_KEY_PASSWORD apart from the backups: without them no backup"
                      + " encrypted with it can be restored",
                  where(),
                  id);
              return id;
            });
  }

  @Override
  public boolean hasCurrentKey() {
    return readCurrentId().isPresent();
  }

  @Override
  public synchronized String rotate() {
    // the new private key is encrypted under the password given now: a mistyped one would make
    // current a key that the real password cannot open, and every later backup unrestorable
    readCurrentId().filter(id -> read(id).isPresent()).ifPresent(id -> privateKey(id, null));
    KeyPair kp = RsaKeys.generate(keySize);
    String id = RsaKeys.keyId(kp.getPublic());
    write(
        id,
        new StoredKeyPair(
            RsaKeys.publicPem(kp.getPublic()),
            PrivateKeyPem.encrypted(kp.getPrivate(), password.get(), iterations)));
    writeCurrentId(id);
    publicKeys.put(id, kp.getPublic());
    return id;
  }

  @Override
  public synchronized void retire(String keyId) {
    if (readCurrentId().filter(keyId::equals).isPresent()) {
      throw new BackyException(
          ErrorCode.REFUSED,
          "key "
              + keyId
              + " is the current key of "
              + where()
              + ": rotate first (backy keys rotate), then retire the old key");
    }
    if (read(keyId).isEmpty() && readPublicPem(keyId).isEmpty()) {
      if (deleteUnfinished(keyId)) {
        return;
      }
      throw new BackyException(ErrorCode.CONFIG, "there is no key " + keyId + " in " + where());
    }
    delete(keyId);
    publicKeys.remove(keyId);
    privateKeys.remove(keyId);
  }

  @Override
  public List<String> keyIds() {
    List<String> ids = new ArrayList<>(storedIds());
    Optional<String> current = readCurrentId();
    current.ifPresent(
        c -> {
          ids.remove(c);
          ids.add(0, c);
        });
    return ids;
  }

  @Override
  public WrappedKey wrap(byte[] dek, String backupId) {
    String id = currentKeyId();
    byte[] w = RsaKeys.wrap(publicKey(id), dek, backupId);
    return new WrappedKey(name(), id, WrappedKey.RSA_OAEP_SHA256, w, Map.of("backup_id", backupId));
  }

  @Override
  public byte[] unwrap(WrappedKey key, String backupId) {
    if (!WrappedKey.RSA_OAEP_SHA256.equals(key.algorithm())) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "backup "
              + backupId
              + " names key wrapping algorithm '"
              + key.algorithm()
              + "', which provider "
              + name()
              + " does not use: the header was changed");
    }
    if (read(key.keyId()).isEmpty()) {
      throw wrappedByAnother(key, backupId).orElseGet(() -> missing(key.keyId(), backupId));
    }
    byte[] dek = RsaKeys.unwrap(privateKey(key.keyId(), backupId), key.wrapped(), backupId);
    if (dek == null || dek.length != DataKey.SIZE_BYTES) {
      if (dek != null) {
        Arrays.fill(dek, (byte) 0);
      }
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "the data key of backup "
              + backupId
              + " does not unwrap with key "
              + key.keyId()
              + ": the backup's header was changed or belongs to another backup");
    }
    return dek;
  }

  /**
   * The key id of a wrapped data key is not authenticated (nothing in it is: key rotation rewrites
   * it), so a backup that names a key this keystore lacks may be one whose key id was changed
   * rather than one of another keystore. Only the key that wrapped a data key unwraps it under the
   * backup's label (RSA-OAEP), so a key of this keystore that does proves the header was changed: a
   * damaged backup (exit 1), not a configuration error (exit 2). Tried only on this error path:
   * opening each private key costs its PBKDF2.
   */
  private Optional<BackyException> wrappedByAnother(WrappedKey key, String backupId) {
    for (String id : storedIds()) {
      byte[] dek;
      try {
        dek = RsaKeys.unwrap(privateKey(id, backupId), key.wrapped(), backupId);
      } catch (BackyException unreadable) {
        continue; // a key pair this password does not open proves nothing either way
      }
      if (dek != null) {
        Arrays.fill(dek, (byte) 0);
        return Optional.of(
            new BackyException(
                ErrorCode.CORRUPT_BACKUP,
                "the header of backup "
                    + backupId
                    + " names key "
                    + key.keyId()
                    + " for its data key, which key "
                    + id
                    + " of "
                    + where()
                    + " wrapped: the header was changed"));
      }
    }
    return Optional.empty();
  }

  /**
   * The public key stored as {@code keyId}, checked against its fingerprint as the private key is:
   * a replaced public key file would otherwise give backups that report success and that no key of
   * this keystore opens.
   */
  private PublicKey publicKey(String keyId) {
    return publicKeys.computeIfAbsent(
        keyId,
        id -> {
          String what = id + " in " + where();
          PublicKey pub =
              RsaKeys.readPublic(
                  readPublicPem(id).orElseThrow(() -> missing(id, null)), "public key " + what);
          if (!RsaKeys.keyId(pub).equals(id)) {
            throw replaced(what);
          }
          return pub;
        });
  }

  private static BackyException replaced(String what) {
    return new BackyException(
        ErrorCode.CONFIG,
        "the key stored as " + what + " has another fingerprint: it was replaced");
  }

  private PrivateKey privateKey(String keyId, String backupId) {
    PrivateKey k = privateKeys.get(keyId);
    if (k != null) {
      return k;
    }
    StoredKeyPair pair = stored(keyId, backupId);
    String what = keyId + " in " + where();
    PublicKey pub = RsaKeys.readPublic(pair.publicPem(), "public key " + what);
    if (!RsaKeys.keyId(pub).equals(keyId)) {
      throw replaced(what);
    }
    k = PrivateKeyPem.read(pair.privatePem(), password.get(), pub, what);
    privateKeys.put(keyId, k);
    return k;
  }

  private StoredKeyPair stored(String keyId, String backupId) {
    return read(keyId).orElseThrow(() -> missing(keyId, backupId));
  }

  private BackyException missing(String keyId, String backupId) {
    if (backupId == null) {
      // the current key: "use the keystore the backup was made with" sent a backup's operator
      // looking for a backup
      return new BackyException(
          ErrorCode.CONFIG,
          "key "
              + keyId
              + ", the current key of "
              + where()
              + ", is not there: put its key pair back, or make a new current key with backy keys"
              + " rotate");
    }
    return new BackyException(
        ErrorCode.CONFIG,
        "key "
            + keyId
            + " that wrapped the data key of backup "
            + backupId
            + " is not in "
            + where()
            + ": use the keystore the backup was made with (or a copy of it)");
  }

  @Override
  public void close() {
    privateKeys.clear();
    password.close();
  }
}
