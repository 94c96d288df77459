package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.format.BackyHeader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes {@link IntegrityKey}s. For {@code hmac}: {@code master = PBKDF2-HMAC-SHA256(password, salt,
 * iterations)}, then HKDF-Expand (RFC 5869, one block) gives the MAC key and a key-check value that
 * is stored, so a wrong password can be told apart from a damaged file (see {@code
 * docs/format.md}).
 */
public final class IntegrityKeys {

  static final String HMAC_SHA256 = "HmacSHA256";
  public static final String ALG_HMAC = "HMAC-SHA256";
  public static final String ALG_SHA256 = "SHA-256";
  public static final String KDF = "PBKDF2-HMAC-SHA256";

  /** PBKDF2 iterations for new backups (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
  public static final int ITERATIONS = 600_000;

  /** A reader refuses more than this, so a tampered header cannot make it spin for hours. */
  public static final int MAX_ITERATIONS = 10_000_000;

  public static final int SALT_SIZE = 16;
  private static final byte[] INFO_MAC =
      "backy integrity mac v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INFO_CHECK =
      "backy integrity key check v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private IntegrityKeys() {}

  /**
   * A new backup's integrity: {@code checksum} or {@code hmac} (keyed from {@code
   * INTEGRITY_PASSWORD}, with a fresh salt).
   */
  public static IntegrityKey create(String type, Environment env) {
    if (BackyHeader.Integrity.CHECKSUM.equals(type)) {
      return checksum();
    }
    if (BackyHeader.Integrity.HMAC.equals(type)) {
      String password = password(env, NEW_HMAC);
      byte[] salt = new byte[SALT_SIZE];
      RANDOM.nextBytes(salt);
      byte[][] keys = derive(password, salt, ITERATIONS);
      return new IntegrityKey(
          new BackyHeader.Integrity(
              BackyHeader.Integrity.HMAC, ALG_HMAC, KDF, salt, ITERATIONS, keys[1]),
          keys[0]);
    }
    throw unsupportedType(type);
  }

  private static final String NEW_HMAC = "to make a backup with integrity_type hmac";

  private static BackyException unsupportedType(String type) {
    return new BackyException(
        ErrorCode.CONFIG,
        "integrity.integrity_type '" + type + "' is not supported; use hmac or checksum");
  }

  /**
   * Like {@link #create}, with the slow part (PBKDF2, {@value #ITERATIONS} iterations: a third of a
   * second) on another thread, so that a backup can open its snapshot meanwhile. A bad type or a
   * missing password still fails here, at once.
   */
  public static CompletableFuture<IntegrityKey> createAsync(String type, Environment env) {
    if (!BackyHeader.Integrity.HMAC.equals(type)) {
      return CompletableFuture.completedFuture(create(type, env));
    }
    checkCreate(type, env);
    return CompletableFuture.supplyAsync(() -> create(type, env));
  }

  /**
   * Nothing, if {@link #create} can make a new backup's integrity of {@code type}: a type it knows,
   * and for {@code hmac} an {@code INTEGRITY_PASSWORD}; derives nothing.
   */
  public static void checkCreate(String type, Environment env) {
    if (BackyHeader.Integrity.HMAC.equals(type)) {
      password(env, NEW_HMAC);
    } else if (!BackyHeader.Integrity.CHECKSUM.equals(type)) {
      throw unsupportedType(type);
    }
  }

  public static IntegrityKey checksum() {
    return new IntegrityKey(
        new BackyHeader.Integrity(BackyHeader.Integrity.CHECKSUM, ALG_SHA256, null, null, 0, null),
        null);
  }

  /**
   * The key to check an existing backup whose integrity parameters are {@code params}; {@code
   * where} names the backup in errors. A wrong password is a {@link ErrorCode#CORRUPT_BACKUP} error
   * saying so.
   */
  public static IntegrityKey forExisting(
      BackyHeader.Integrity params, Environment env, String where) {
    if (BackyHeader.Integrity.CHECKSUM.equals(params.type())) {
      if (!ALG_SHA256.equals(params.algorithm())) {
        throw unsupported(params, where);
      }
      return checksum();
    }
    if (!params.isHmac() || !ALG_HMAC.equals(params.algorithm()) || !KDF.equals(params.kdf())) {
      throw unsupported(params, where);
    }
    if (params.iterations() < 1
        || params.iterations() > MAX_ITERATIONS
        || params.salt() == null
        || params.salt().length == 0
        || params.keyCheck() == null) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " has damaged integrity parameters");
    }
    String password = password(env, "to check " + where + ", which is protected by an HMAC");
    byte[][] keys = derive(password, params.salt(), params.iterations());
    if (!MessageDigest.isEqual(keys[1], params.keyCheck())) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "INTEGRITY_PASSWORD is wrong for "
              + where
              + " (it does not match the password the backup was made with)");
    }
    return new IntegrityKey(params, keys[0]);
  }

  private static BackyException unsupported(BackyHeader.Integrity params, String where) {
    return new BackyException(
        ErrorCode.CORRUPT_BACKUP,
        where
            + " uses integrity "
            + params.type()
            + "/"
            + params.algorithm()
            + ", which this BackyDB does not know; upgrade BackyDB");
  }

  private static String password(Environment env, String why) {
    return env.requireNonEmpty(Environment.INTEGRITY_PASSWORD, why);
  }

  /** {MAC key, key check}. */
  private static byte[][] derive(String password, byte[] salt, int iterations) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 256);
    byte[] master = null;
    try {
      master =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new byte[][] {expand(master, INFO_MAC), expand(master, INFO_CHECK)};
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java has PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
      if (master != null) {
        Arrays.fill(master, (byte) 0);
      }
    }
  }

  /** HKDF-Expand with one output block: HMAC(prk, info || 0x01). */
  private static byte[] expand(byte[] prk, byte[] info) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(HMAC_SHA256);
    mac.init(new SecretKeySpec(prk, HMAC_SHA256));
    mac.update(info);
    mac.update((byte) 1);
    return mac.doFinal();
  }
}
