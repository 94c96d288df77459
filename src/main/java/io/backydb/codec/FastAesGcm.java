package io.backydb.codec;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@code Cipher.getInstance("AES/GCM/NoPadding")} use Conscrypt's AES-GCM (BoringSSL), which
 * Tink's streaming AEAD then picks up. On Java 17 the JDK's own AES-GCM reaches only about 100-200
 * MB/s when called, as Tink calls it, once per 1 MiB segment (the JIT's GHASH intrinsic is rarely
 * reached), which made encryption the slowest step of a backup; Conscrypt's does over 1 GB/s.
 *
 * <p>Only that one cipher is registered, in a provider of its own at the top of the list: TLS, RSA,
 * HMAC and everything else keep the JDK's providers. The ciphertext is the same whichever provider
 * computes it. Where Conscrypt's native library cannot load (a platform it has no build for), the
 * JDK's cipher is used and the log says so once.
 */
final class FastAesGcm {

  private static final Logger LOG = LoggerFactory.getLogger(FastAesGcm.class);

  static final String PROVIDER_NAME = "BackyDB-AES-GCM";

  private FastAesGcm() {}

  /** Installs the provider, once per JVM; returns whether Conscrypt's cipher is in use. */
  static synchronized boolean install() {
    if (Security.getProvider(PROVIDER_NAME) != null) {
      return true;
    }
    Provider.Service gcm;
    try {
      Provider conscrypt = org.conscrypt.Conscrypt.newProvider();
      gcm = conscrypt.getService("Cipher", "AES/GCM/NoPadding");
    } catch (Throwable e) { // UnsatisfiedLinkError and friends: no native build here
      LOG.info(
          "the JDK's AES-GCM is used for backup encryption (slower): Conscrypt is not available"
              + " on this platform ({})",
          e.toString());
      return false;
    }
    if (gcm == null) {
      return false;
    }
    Security.insertProviderAt(new OneCipher(gcm), 1);
    return true;
  }

  /** A provider with a single service, AES/GCM/NoPadding, served by Conscrypt. */
  private static final class OneCipher extends Provider {
    private static final long serialVersionUID = 1L;

    OneCipher(Service gcm) {
      super(PROVIDER_NAME, "1", "AES/GCM/NoPadding from Conscrypt, for BackyDB's payload cipher");
      putService(
          new Service(this, "Cipher", "AES/GCM/NoPadding", gcm.getClassName(), null, null) {
            @Override
            public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
              return gcm.newInstance(parameter);
            }
          });
    }
  }
}
