package io.backydb.codec;

/** A running HMAC-SHA256 or SHA-256 over a stream; {@link #finish()} once. */
public interface IntegrityDigest {

  void update(byte[] b, int off, int len);

  /** The 32-byte value. */
  byte[] finish();
}
