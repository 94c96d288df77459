package io.backydb.codec;

import java.nio.ByteBuffer;
import java.security.Provider;
import java.security.Security;
import javax.crypto.BadPaddingException;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.ShortBufferException;
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
    try {
      org.conscrypt.Conscrypt.checkAvailability();
      new ReusedDirectBuffers(); // loads Conscrypt's native code, or fails here
    } catch (Throwable e) { // UnsatisfiedLinkError and friends: no native build here
      LOG.info(
          "the JDK's AES-GCM is used for backup encryption (slower): Conscrypt is not available"
              + " on this platform ({})",
          e.toString());
      return false;
    }
    Security.insertProviderAt(new OneCipher(), 1);
    return true;
  }

  /** A provider with a single service, AES/GCM/NoPadding, served by Conscrypt. */
  private static final class OneCipher extends Provider {
    private static final long serialVersionUID = 1L;

    OneCipher() {
      super(PROVIDER_NAME, "1", "AES/GCM/NoPadding from Conscrypt, for BackyDB's payload cipher");
      putService(
          new Service(
              this,
              "Cipher",
              "AES/GCM/NoPadding",
              ReusedDirectBuffers.class.getName(),
              null,
              null) {
            @Override
            public Object newInstance(Object parameter) {
              return new ReusedDirectBuffers();
            }
          });
    }
  }

  /**
   * Conscrypt's AES-GCM, except that a {@code doFinal} on heap buffers, which is how Tink's
   * streaming AEAD decrypts every segment, goes through two direct buffers kept from call to call.
   * Conscrypt itself allocates two new direct buffers of the segment's size for each such call,
   * which only the garbage collector frees: a restore kept up to the heap's size of them (the
   * default direct-memory limit) alive, in its peak RSS, and paid for their allocation, page faults
   * and clean-up.
   */
  static final class ReusedDirectBuffers extends org.conscrypt.OpenSSLAeadCipherAES.GCM {
    private ByteBuffer in = ByteBuffer.allocateDirect(0);
    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    @Override
    protected int engineDoFinal(ByteBuffer input, ByteBuffer output)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      if (input.isDirect() && output.isDirect()) {
        return super.engineDoFinal(input, output);
      }
      int size = engineGetOutputSize(input.remaining());
      if (size > output.remaining()) {
        throw new ShortBufferException(
            "the output buffer has room for " + output.remaining() + " bytes, not " + size);
      }
      in = atLeast(in, input.remaining());
      in.put(input).flip();
      out = atLeast(out, size);
      int n = super.engineDoFinal(in, out);
      out.flip();
      output.put(out);
      return n;
    }

    /** {@code b} cleared, or a new direct buffer if it holds fewer than {@code n} bytes. */
    private static ByteBuffer atLeast(ByteBuffer b, int n) {
      return b.capacity() >= n ? b.clear() : ByteBuffer.allocateDirect(n);
    }
  }
}
