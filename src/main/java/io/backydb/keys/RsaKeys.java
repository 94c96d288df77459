package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.SecurityConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * RSA key pairs of the keystore providers: generation, the key id (fingerprint), the public key's
 * PEM (SubjectPublicKeyInfo, {@code -----BEGIN PUBLIC KEY-----}) and data-key wrapping with
 * RSA-OAEP. All with the JDK alone: a backup needs only these, and loading Bouncy Castle (signed
 * jars, which class-data sharing leaves out) cost every backup about 0.1 CPU-second of start-up.
 * The encrypted private key's PEM is {@link PrivateKeyPem}'s.
 *
 * <p>OAEP uses SHA-256 and MGF1-SHA-256, given explicitly (the JDK's default MGF1 for
 * "OAEPWithSHA-256AndMGF1Padding" is SHA-1), and the label {@code "backydb:backup:" + backupId}: a
 * wrapped key only unwraps for the backup it was made for.
 */
final class RsaKeys {

  /** PBKDF2 iterations protecting a private key file. */
  static final int PBKDF2_ITERATIONS = 210_000;

  /** Hex digits of SHA-256(public key DER) that make a key id. */
  static final int KEY_ID_HEX_DIGITS = 16;

  private static final OAEPParameterSpec OAEP_SHA256 =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  private RsaKeys() {}

  static KeyPair generate(int keySize) {
    try {
      SecurityConfig.checkKeySize(keySize);
    } catch (IllegalArgumentException e) {
      throw new BackyException(ErrorCode.CONFIG, e.getMessage());
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(keySize, new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new BackyException(ErrorCode.FAILED, "cannot generate an RSA key pair: " + e, e);
    }
  }

  /** The key id: the first hex digits of SHA-256 over the public key's DER encoding. */
  static String keyId(PublicKey key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(d).substring(0, KEY_ID_HEX_DIGITS);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern PUBLIC_PEM =
      Pattern.compile(
          "-----BEGIN PUBLIC KEY-----\\s*([A-Za-z0-9+/=\\s]*?)-----END PUBLIC KEY-----");

  /** PEM text of the key's SubjectPublicKeyInfo (RFC 7468), as {@code openssl pkey} writes it. */
  static String publicPem(PublicKey key) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
  }

  /** The first public key in PEM text. {@code where} names the source in error messages. */
  static PublicKey readPublic(String pemText, String where) {
    Matcher m = PUBLIC_PEM.matcher(pemText);
    if (!m.find()) {
      throw notAKey(where, null);
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw notAKey(where, e);
    }
  }

  static BackyException notAKey(String where, Exception cause) {
    return new BackyException(
        ErrorCode.CONFIG, where + " does not hold the expected PEM key", cause);
  }

  static byte[] wrap(PublicKey key, byte[] dek, String backupId) {
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.ENCRYPT_MODE, key, oaep(backupId));
      return c.doFinal(dek);
    } catch (GeneralSecurityException e) {
      throw new BackyException(ErrorCode.FAILED, "cannot wrap the data key: " + e, e);
    }
  }

  /** Null if the wrapped key does not decrypt (other key, other backup, changed bytes). */
  static byte[] unwrap(PrivateKey key, byte[] wrapped, String backupId) {
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.DECRYPT_MODE, key, oaep(backupId));
      return c.doFinal(wrapped);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static OAEPParameterSpec oaep(String backupId) {
    byte[] label = ("backydb:backup:" + backupId).getBytes(StandardCharsets.UTF_8);
    return new OAEPParameterSpec(
        OAEP_SHA256.getDigestAlgorithm(),
        OAEP_SHA256.getMGFAlgorithm(),
        OAEP_SHA256.getMGFParameters(),
        new PSource.PSpecified(label));
  }
}
