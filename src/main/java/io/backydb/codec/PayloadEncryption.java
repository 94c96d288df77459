package io.backydb.codec;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * The payload cipher of an encrypted {@code .backy} file: Tink's streaming AEAD {@code
 * AesGcmHkdfStreaming} (AES-256-GCM in 1 MiB authenticated segments, segment keys derived from the
 * data key with HKDF-SHA256 and a random per-file salt). The authenticated header (the {@code
 * .backy} header without its wrapped data keys, see {@code docs/format.md}) is the associated data,
 * so a change to any authenticated header field, any payload byte, the order of segments or the
 * payload's length fails decryption.
 *
 * <p>Decryption releases plaintext segment by segment, each authenticated; truncation is detected
 * at the end. A reader must therefore consume the whole payload before trusting it (restore checks
 * the whole file before the first statement runs). Any authentication failure is one error, {@link
 * #UNAUTHENTICATED} ({@link ErrorCode#CORRUPT_BACKUP}); read errors of the underlying stream pass
 * through unchanged.
 */
public final class PayloadEncryption {

  /** The suite's name as an encrypted {@code .backy} header records it. */
  public static final String SUITE = "AES256_GCM_HKDF_1MB";

  /** Ciphertext segment size: 1 MiB. */
  public static final int SEGMENT_SIZE = 1 << 20;

  /** Data key size: 32 bytes (AES-256, and the HKDF input key). */
  public static final int KEY_SIZE = 32;

  /** The one message for every failed authentication. */
  public static final String UNAUTHENTICATED =
      "backup is damaged or was changed (authentication failed)";

  static {
    FastAesGcm.install();
  }

  private PayloadEncryption() {}

  /**
   * An encrypting stream to {@code out}. Closing it writes the final segment and closes {@code
   * out}; an unclosed stream leaves a payload that fails to decrypt.
   */
  public static OutputStream encrypting(OutputStream out, byte[] dek, byte[] aad)
      throws IOException {
    try {
      return aead(dek).newEncryptingStream(out, aad);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up payload encryption: " + e.getMessage(), e);
    }
  }

  /** A decrypting stream over {@code in}; closing it closes {@code in}. */
  public static InputStream decrypting(InputStream in, byte[] dek, byte[] aad) throws IOException {
    SourceStream source = new SourceStream(in);
    InputStream plain;
    try {
      plain = aead(dek).newDecryptingStream(source, aad);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up payload decryption: " + e.getMessage(), e);
    }
    return new FilterInputStream(plain) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw source.translate(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw source.translate(e);
        }
      }

      @Override
      public long skip(long n) throws IOException {
        try {
          return super.skip(n);
        } catch (IOException e) {
          throw source.translate(e);
        }
      }
    };
  }

  /** The size of the ciphertext for {@code plaintextSize} bytes (header and tags included). */
  public static long ciphertextSize(long plaintextSize) {
    try {
      return ((AesGcmHkdfStreaming) aead(new byte[KEY_SIZE])).expectedCiphertextSize(plaintextSize);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @AccessesPartialKey // the data key is the whole key material, by design
  private static StreamingAead aead(byte[] dek) throws GeneralSecurityException {
    if (dek == null || dek.length != KEY_SIZE) {
      throw new IllegalArgumentException("the data key must have " + KEY_SIZE + " bytes");
    }
    AesGcmHkdfStreamingParameters params =
        AesGcmHkdfStreamingParameters.builder()
            .setKeySizeBytes(KEY_SIZE)
            .setDerivedAesGcmKeySizeBytes(KEY_SIZE)
            .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
            .setCiphertextSegmentSizeBytes(SEGMENT_SIZE)
            .build();
    return AesGcmHkdfStreaming.create(
        AesGcmHkdfStreamingKey.create(
            params, SecretBytes.copyFrom(dek, InsecureSecretKeyAccess.get())));
  }

  /**
   * Remembers whether the underlying stream failed, so that its read errors pass through and every
   * other failure of Tink's stream is reported as {@link #UNAUTHENTICATED}.
   */
  private static final class SourceStream extends FilterInputStream {
    private IOException failure;

    SourceStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    IOException translate(IOException e) {
      if (failure != null) {
        return e;
      }
      throw new BackyException(ErrorCode.CORRUPT_BACKUP, UNAUTHENTICATED, e);
    }
  }
}
