package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A private key's PEM file: encrypted PKCS#8 (PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC,
 * readable by {@code openssl pkey}), written and read with Bouncy Castle, which the JDK cannot do.
 * Only restores, key creation and key rotation come here; backups need the public key only ({@link
 * RsaKeys}).
 */
final class PrivateKeyPem {

  /** Created on first use: registering its hundreds of algorithms takes a few hundred ms. */
  private static final class Bc {
    static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
  }

  private PrivateKeyPem() {}

  /** The key as encrypted PKCS#8 PEM text, protected by {@code password}. */
  static String encrypted(PrivateKey key, char[] password, int iterations) {
    try {
      var encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setPRF(PKCS8Generator.PRF_HMACSHA256)
              .setIterationCount(iterations)
              .setRandom(new SecureRandom())
              .setPassword(password)
              .setProvider(Bc.PROVIDER)
              .build();
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(new PKCS8Generator(PrivateKeyInfo.getInstance(key.getEncoded()), encryptor));
      }
      return w.toString();
    } catch (Exception e) {
      throw new BackyException(ErrorCode.FAILED, "cannot encrypt the private key: " + e, e);
    }
  }

  /**
   * Decrypts the first encrypted PKCS#8 private key in PEM text and checks that it belongs to
   * {@code publicKey}. {@code where} names the source in error messages.
   */
  static PrivateKey read(String pemText, char[] password, PublicKey publicKey, String where) {
    PKCS8EncryptedPrivateKeyInfo enc = first(pemText, where);
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

  private static PKCS8EncryptedPrivateKeyInfo first(String pemText, String where) {
    try (PEMParser p = new PEMParser(new StringReader(pemText))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PKCS8EncryptedPrivateKeyInfo info) {
          return info;
        }
      }
    } catch (IOException e) {
      throw RsaKeys.notAKey(where, e);
    }
    throw RsaKeys.notAKey(where, null);
  }

  private static BackyException wrongPassword(String where) {
    return new BackyException(
        ErrorCode.CONFIG,
        "cannot decrypt the private key "
            + where
            + ": PRIVATE_KEY_PASSWORD is wrong (use the password the key was created with)");
  }
}
