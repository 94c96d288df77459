package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * RSA key pairs of the keystore providers: generation, the key id (fingerprint), PEM files (Bouncy
 * Castle: public key as SubjectPublicKeyInfo, private key as encrypted PKCS#8 — PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC, readable by {@code openssl pkey}) and data-key wrapping with
 * RSA-OAEP.
 *
 * <p>OAEP uses SHA-256 and MGF1-SHA-256, given explicitly (the JDK's default MGF1 for
 * "OAEPWithSHA-256AndMGF1Padding" is SHA-1), and the label {@code "backydb:backup:" + backupId}: a
 * wrapped key only unwraps for the backup it was made for.
 */
final class RsaKeys {

  /** The smallest RSA key accepted. */
  static final int MIN_KEY_SIZE = 2048;

  /** PBKDF2 iterations protecting a private key file. */
  static final int PBKDF2_ITERATIONS = 210_000;

  /** Hex digits of SHA-256(public key DER) that make a key id. */
  static final int KEY_ID_HEX_DIGITS = 16;

  /**
   * BouncyCastle, for the encrypted PKCS#8 private key only. Created on first use: registering its
   * hundreds of algorithms takes a few hundred milliseconds, which a backup (public key only) need
   * not pay.
   */
  private static final class Bc {
    static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
  }

  private static final OAEPParameterSpec OAEP_SHA256 =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  private RsaKeys() {}

  static KeyPair generate(int keySize) {
    if (keySize < MIN_KEY_SIZE) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "security.key_size "
              + keySize
              + " is too small: use at least "
              + MIN_KEY_SIZE
              + " (default 4096)");
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

  static String publicPem(PublicKey key) {
    return pem(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
  }

  static String encryptedPrivatePem(PrivateKey key, char[] password, int iterations) {
    try {
      var encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setPRF(PKCS8Generator.PRF_HMACSHA256)
              .setIterationCount(iterations)
              .setRandom(new SecureRandom())
              .setPassword(password)
              .setProvider(Bc.PROVIDER)
              .build();
      return pem(new PKCS8Generator(PrivateKeyInfo.getInstance(key.getEncoded()), encryptor));
    } catch (Exception e) {
      throw new BackyException(ErrorCode.FAILED, "cannot encrypt the private key: " + e, e);
    }
  }

  private static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /** The first public key in PEM text. {@code where} names the source in error messages. */
  static PublicKey readPublic(String pemText, String where) {
    Object o = firstOf(pemText, SubjectPublicKeyInfo.class, where);
    try {
      return new JcaPEMKeyConverter().getPublicKey((SubjectPublicKeyInfo) o);
    } catch (IOException e) {
      throw notAKey(where, e);
    }
  }

  /**
   * Decrypts the first encrypted PKCS#8 private key in PEM text and checks that it belongs to
   * {@code publicKey}.
   */
  static PrivateKey readPrivate(
      String pemText, char[] password, PublicKey publicKey, String where) {
    PKCS8EncryptedPrivateKeyInfo enc =
        (PKCS8EncryptedPrivateKeyInfo) firstOf(pemText, PKCS8EncryptedPrivateKeyInfo.class, where);
    PrivateKey key;
    try {
      PrivateKeyInfo info =
          enc.decryptPrivateKeyInfo(
              new JceOpenSSLPKCS8DecryptorProviderBuilder()
                  .setProvider(Bc.PROVIDER)
                  .build(password));
      key = new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (Exception e) {
      throw wrongPassword(where);
    }
    if (!(key instanceof RSAPrivateCrtKey k)
        || !(publicKey instanceof RSAPublicKey p)
        || !k.getModulus().equals(p.getModulus())
        || !k.getPublicExponent().equals(p.getPublicExponent())) {
      throw wrongPassword(where);
    }
    return key;
  }

  private static BackyException wrongPassword(String where) {
    return new BackyException(
        ErrorCode.CONFIG,
        "cannot decrypt the private key "
            + where
            + ": PRIVATE_KEY_PASSWORD is wrong (use the password the key was created with)");
  }

  private static Object firstOf(String pemText, Class<?> type, String where) {
    try (PEMParser p = new PEMParser(new StringReader(pemText))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (type.isInstance(o)) {
          return o;
        }
      }
    } catch (IOException e) {
      throw notAKey(where, e);
    }
    throw notAKey(where, null);
  }

  private static BackyException notAKey(String where, Exception cause) {
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
