package io.backydb.codec;

import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
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
 * <p>Only that one cipher is registered, in a provider of its own at the top of the list. Tink
 * looks the cipher up by name, so the registration is JVM-wide: anything else in the process that
 * asks for {@code AES/GCM/NoPadding}, TLS's GCM cipher suites included, gets Conscrypt's too. RSA,
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
   * Conscrypt's AES-GCM, with the data of a message collected in a direct buffer kept from call to
   * call, and sealed or opened from there by Conscrypt's direct-buffer path. Conscrypt itself
   *
   * <ul>
   *   <li>allocates two new direct buffers of the segment's size for a {@code doFinal} on heap
   *       buffers, which is how Tink's streaming AEAD decrypts every segment; only the garbage
   *       collector frees them, so a restore kept up to the heap's size of them (the default
   *       direct-memory limit) alive, in its peak RSS;
   *   <li>collects what {@code update} gives it in a heap array, and then seals through its array
   *       path, which copies the segment into native memory and out again and maps fresh pages for
   *       it: Tink encrypts every segment whose end falls inside one write to its stream (nearly
   *       all of them) as an {@code update} and a {@code doFinal}, and that path took two thirds of
   *       the encryption thread's CPU.
   * </ul>
   *
   * <p>GCM returns nothing before the {@code doFinal} (a decryption must check the tag first), so
   * collecting the data here changes no output. Every init starts a new message.
   */
  static final class ReusedDirectBuffers extends org.conscrypt.OpenSSLAeadCipherAES.GCM {
    /** The message's data so far (up to its position). */
    private ByteBuffer in = ByteBuffer.allocateDirect(0);

    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    @Override
    protected void engineInit(int mode, Key key, SecureRandom random) throws InvalidKeyException {
      in.clear();
      super.engineInit(mode, key, random);
    }

    @Override
    protected void engineInit(int mode, Key key, AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      in.clear();
      super.engineInit(mode, key, params, random);
    }

    @Override
    protected void engineInit(int mode, Key key, AlgorithmParameters params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      in.clear();
      super.engineInit(mode, key, params, random);
    }

    @Override
    protected void engineUpdateAAD(byte[] aad, int offset, int length) {
      requireNoData();
      super.engineUpdateAAD(aad, offset, length);
    }

    @Override
    protected void engineUpdateAAD(ByteBuffer aad) {
      requireNoData();
      super.engineUpdateAAD(aad);
    }

    /** As the JDK's GCM: the additional data comes first. */
    private void requireNoData() {
      if (in.position() > 0) {
        throw new IllegalStateException("AES-GCM: additional data after the data");
      }
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int offset, int length) {
      collect(ByteBuffer.wrap(input, offset, length));
      return new byte[0];
    }

    @Override
    protected int engineUpdate(byte[] input, int offset, int length, byte[] output, int at) {
      collect(ByteBuffer.wrap(input, offset, length));
      return 0;
    }

    @Override
    protected int engineUpdate(ByteBuffer input, ByteBuffer output) {
      collect(input);
      return 0;
    }

    @Override
    protected int engineGetOutputSize(int inputLength) {
      return super.engineGetOutputSize(in.position() + inputLength);
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int offset, int length)
        throws IllegalBlockSizeException, BadPaddingException {
      if (in.position() == 0) {
        return super.engineDoFinal(input, offset, length);
      }
      byte[] result = new byte[engineGetOutputSize(length)];
      try {
        int n = engineDoFinal(ByteBuffer.wrap(input, offset, length), ByteBuffer.wrap(result));
        return n == result.length ? result : Arrays.copyOf(result, n);
      } catch (ShortBufferException e) {
        throw new IllegalStateException("AES-GCM: output size miscounted", e);
      }
    }

    @Override
    protected int engineDoFinal(byte[] input, int offset, int length, byte[] output, int at)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      if (in.position() == 0) {
        return super.engineDoFinal(input, offset, length, output, at);
      }
      return engineDoFinal(
          ByteBuffer.wrap(input, offset, length), ByteBuffer.wrap(output, at, output.length - at));
    }

    @Override
    protected int engineDoFinal(ByteBuffer input, ByteBuffer output)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      if (in.position() == 0 && input.isDirect() && output.isDirect()) {
        return super.engineDoFinal(input, output);
      }
      int size = engineGetOutputSize(input.remaining());
      if (size > output.remaining()) {
        throw new ShortBufferException(
            "the output buffer has room for " + output.remaining() + " bytes, not " + size);
      }
      collect(input);
      in.flip();
      out = out.capacity() >= size ? out.clear() : ByteBuffer.allocateDirect(size);
      try {
        int n = super.engineDoFinal(in, out);
        out.flip();
        output.put(out);
        return n;
      } finally {
        in.clear(); // the message ends here, sealed, opened or refused
      }
    }

    /** Appends {@code data} to the message, in a larger buffer if it does not fit. */
    private void collect(ByteBuffer data) {
      int needed = in.position() + data.remaining();
      if (needed > in.capacity()) {
        ByteBuffer larger = ByteBuffer.allocateDirect(Math.max(needed, 2 * in.capacity()));
        in.flip();
        larger.put(in);
        in = larger;
      }
      in.put(data);
    }
  }
}
