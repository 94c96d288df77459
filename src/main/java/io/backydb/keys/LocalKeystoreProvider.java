package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.OwnerOnly;
import io.backydb.storage.PartialFiles;
import io.backydb.storage.WriteFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code security.type: keystore}, {@code provider: local}: RSA key pairs as PEM files in the
 * folder {@code LOCAL_KEY_STORE_PATH}, the private keys encrypted (PKCS#8) under {@code
 * PRIVATE_KEY_PASSWORD}.
 *
 * <p>Layout: {@code backydb-<keyId>.pub.pem}, {@code backydb-<keyId>.key.pem} for every key pair,
 * and {@code current}, which holds the id of the key pair new backups use. The folder is created
 * {@code rwx------} and every file {@code rw-------}; files are written to a temporary name and
 * moved into place, so a crash never leaves half a key. The temporary name is a {@link
 * PartialFiles} name ({@code .backydb-<keyId>.key.pem.<machine>.<pid>.<uuid>.partial}): the first
 * keystore operation of a provider removes those of processes killed before their move, as a backup
 * removes its own. The first key pair is generated on first use (or by {@code backy keys
 * generate}). Backups read only the current public key, so a backup host may keep the public key
 * file and {@code current} alone, without the private key or its password.
 */
public final class LocalKeystoreProvider extends RsaKeystore {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKeystoreProvider.class);

  public static final String NAME = "local";
  static final String CURRENT_FILE = "current";
  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{" + RsaKeys.KEY_ID_HEX_DIGITS + "}");

  /**
   * The temporary names of earlier versions ({@code Files.createTempFile(dir, ".tmp-", ".part")}),
   * which say nothing of their process: removed once untouched for {@link
   * BackupStorage#ABANDONED_AFTER}, far beyond the milliseconds a write takes.
   */
  private static final Pattern OLD_TEMPORARY = Pattern.compile("\\.tmp-[0-9]+\\.part");

  private final Path dir;
  private final Set<Path> warnedLoose = ConcurrentHashMap.newKeySet();
  private volatile boolean cleaned;

  public LocalKeystoreProvider(Path dir, char[] password, int keySize) {
    this(dir, KeyPassword.of(password), keySize, RsaKeys.PBKDF2_ITERATIONS);
  }

  /** With a chosen PBKDF2 iteration count for new private keys (tests use a cheap one). */
  LocalKeystoreProvider(Path dir, char[] password, int keySize, int iterations) {
    this(dir, KeyPassword.of(password), keySize, iterations);
  }

  private LocalKeystoreProvider(Path dir, KeyPassword password, int keySize, int iterations) {
    super(password, keySize, iterations);
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** From {@code LOCAL_KEY_STORE_PATH} and {@code PRIVATE_KEY_PASSWORD}. */
  public static LocalKeystoreProvider fromEnvironment(Environment env, int keySize) {
    Path dir =
        Path.of(
            env.requireNonEmpty(
                Environment.LOCAL_KEY_STORE_PATH,
                "for the local keystore (security.provider local)"));
    return new LocalKeystoreProvider(
        dir,
        KeyPassword.fromEnvironment(env, "to protect the keystore's private keys"),
        keySize,
        RsaKeys.PBKDF2_ITERATIONS);
  }

  @Override
  public String name() {
    return NAME;
  }

  public Path directory() {
    return dir;
  }

  @Override
  public String where() {
    return "LOCAL_KEY_STORE_PATH " + dir;
  }

  static String publicFile(String keyId) {
    return "backydb-" + keyId + ".pub.pem";
  }

  static String privateFile(String keyId) {
    return "backydb-" + keyId + ".key.pem";
  }

  @Override
  Optional<String> readCurrentId() {
    Path f = folder().resolve(CURRENT_FILE);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    String id = readText(f).strip();
    if (!KEY_ID.matcher(id).matches()) {
      // "run backy keys rotate" was the advice, and rotate stopped on this same file
      throw new BackyException(
          ErrorCode.CONFIG,
          f
              + " does not hold a key id: write into it the id of the key pair new backups use"
              + " (this keystore holds "
              + describeIds()
              + "), or delete it and run backy keys rotate to make a new key");
    }
    return Optional.of(id);
  }

  private String describeIds() {
    List<String> ids = storedIds();
    return ids.isEmpty() ? "none" : String.join(", ", ids);
  }

  /**
   * Key pairs without {@code current}: a backup host given the public key but not {@code current},
   * or a {@code current} lost. A new key pair would be made silently, and the backups wrapped by it
   * would open only with a private key no one knew to keep.
   */
  @Override
  void checkFirstUse() {
    List<String> ids = storedIds();
    if (!ids.isEmpty()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          where()
              + " holds key pairs ("
              + String.join(", ", ids)
              + ") but no file "
              + CURRENT_FILE
              + " naming the one new backups use: copy "
              + CURRENT_FILE
              + " from the keystore, or run backy keys rotate to make a new current key");
    }
  }

  @Override
  void writeCurrentId(String keyId) {
    writeAtomically(CURRENT_FILE, keyId + "\n");
  }

  @Override
  Optional<StoredKeyPair> read(String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      return Optional.empty();
    }
    Path pub = folder().resolve(publicFile(keyId));
    Path key = folder().resolve(privateFile(keyId));
    if (!Files.exists(pub) || !Files.exists(key)) {
      return Optional.empty();
    }
    warnIfOthersMayRead(key);
    return Optional.of(new StoredKeyPair(readText(pub), readText(key)));
  }

  /**
   * BackyDB writes private keys owner-only; one copied in with looser permissions still works (it
   * is encrypted), but then its password is all that protects it. Said once per file.
   */
  private void warnIfOthersMayRead(Path key) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(key);
      if ((p.contains(PosixFilePermission.GROUP_READ)
              || p.contains(PosixFilePermission.OTHERS_READ))
          && warnedLoose.add(key)) {
        LOG.warn(
            "private key file {} can be read by other users ({}): only PRIVATE_KEY_PASSWORD"
                + " protects it; chmod 600 {}",
            key,
            PosixFilePermissions.toString(p),
            key);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions here: the folder's own access rules apply
    }
  }

  @Override
  Optional<String> readPublicPem(String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      return Optional.empty();
    }
    Path pub = folder().resolve(publicFile(keyId));
    return Files.exists(pub) ? Optional.of(readText(pub)) : Optional.empty();
  }

  @Override
  void write(String keyId, StoredKeyPair pair) {
    writeAtomically(privateFile(keyId), pair.privatePem());
    writeAtomically(publicFile(keyId), pair.publicPem());
  }

  @Override
  void delete(String keyId) {
    try {
      Files.deleteIfExists(folder().resolve(privateFile(keyId)));
      Files.deleteIfExists(folder().resolve(publicFile(keyId)));
    } catch (IOException e) {
      throw storageError("cannot delete key " + keyId + " in " + dir, e);
    }
  }

  @Override
  List<String> storedIds() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder())) {
      // a backup host may hold the public key alone
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("backydb-"))
          .map(n -> n.substring("backydb-".length()).replaceFirst("\\.(key|pub)\\.pem$", ""))
          .filter(id -> KEY_ID.matcher(id).matches())
          .distinct()
          .sorted()
          .toList();
    } catch (IOException e) {
      throw storageError("cannot list " + dir, e);
    }
  }

  private String readText(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw storageError("cannot read " + f, e);
    }
  }

  private void writeAtomically(String name, String text) {
    ensureDirectory();
    Path target = folder().resolve(name);
    Path tmp = null;
    try {
      // named for its process: where it is killed before the move, the next operation removes it
      tmp = Files.createFile(PartialFiles.beside(target), OwnerOnly.file());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw storageError("cannot write " + dir.resolve(name), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  /**
   * The folder, once this provider has removed the temporary files that keystore writes killed
   * before their move left there (on its first use of the folder).
   */
  private Path folder() {
    if (!cleaned) {
      cleaned = true;
      unfinishedWrites();
    }
    return dir;
  }

  /**
   * Removes the abandoned temporary files of keystore writes (of a process killed between the write
   * and the move; they may hold a private key, encrypted) and says what is left: one line for each
   * temporary file kept, the write of a process that runs, here or on another host sharing the
   * folder ({@link PartialFiles#abandoned}), or one that could not be removed. Every removal is
   * logged. Nothing but BackyDB's own temporary names is ever touched.
   */
  @Override
  public List<String> unfinishedWrites() {
    List<String> kept = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return kept;
    }
    Instant now = Instant.now();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        String name = f.getFileName().toString();
        boolean ours = PartialFiles.isTemporary(name);
        if (!ours && !OLD_TEMPORARY.matcher(name).matches()) {
          continue;
        }
        Instant written;
        try {
          written = Files.getLastModifiedTime(f).toInstant();
        } catch (NoSuchFileException e) {
          continue; // moved into place meanwhile
        }
        if (ours
            ? !PartialFiles.abandoned(name, written, now)
            : !written.plus(BackupStorage.ABANDONED_AFTER).isBefore(now)) {
          kept.add(
              f
                  + ": a key file another process is writing (or one left by a process killed"
                  + " on another host sharing the folder: removed once untouched for "
                  + BackupStorage.ABANDONED_AFTER.toHours()
                  + " hours); not a key");
          continue;
        }
        try {
          if (Files.deleteIfExists(f)) {
            LOG.info("removed {}, left by a keystore write that was killed", f);
          }
        } catch (IOException e) {
          kept.add(
              f
                  + ": left by a keystore write that was killed; it could not be removed ("
                  + WriteFailures.why(e)
                  + "): delete it");
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // unreadable: the operation itself says so
    }
    return kept;
  }

  private void ensureDirectory() {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (Files.exists(dir)) {
      // "cannot create LOCAL_KEY_STORE_PATH F: F" said no why
      io.backydb.config.Environment.requireFolder(
          io.backydb.config.Environment.LOCAL_KEY_STORE_PATH, dir);
    }
    try {
      Files.createDirectories(dir, OwnerOnly.folder());
    } catch (IOException e) {
      throw storageError("cannot create LOCAL_KEY_STORE_PATH " + dir, e);
    }
  }

  private static BackyException storageError(String what, IOException e) {
    return new BackyException(ErrorCode.CONFIG, what + ": " + e.getMessage(), e);
  }
}
