/**
 * The streams a {@code .backy} payload passes through: compression ({@link
 * io.backydb.codec.PayloadCodec}: none, zstd, zip, tar.gz — encoders on their own thread behind an
 * {@link io.backydb.stream.AsyncPipe}, decoders pull-style) and integrity ({@link
 * io.backydb.codec.IntegrityKey}: HMAC-SHA256 keyed from INTEGRITY_PASSWORD by PBKDF2 + HKDF, or
 * SHA-256). Library codecs only (zstd-jni, commons-compress); nothing here holds a whole backup in
 * memory. A wrong password is told apart from a damaged file by a stored key-check value; all
 * comparisons are constant-time. See {@code docs/format.md}.
 */
package io.backydb.codec;
