package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The identity of the bytes an S3 object holds, {@link S3Storage}'s {@link BackupStorage#version}:
 * what tells a restore that the object it applies is the one it verified.
 *
 * <p>Normally the object's ETag, which the server derives from the bytes and compares itself
 * ({@code If-Match}). Some S3-compatible servers send no ETag; a missing identity would let a
 * replaced object pass as unchanged. For such a server the identity is made of what BackyDB stored
 * with the object and what the server stamps on it: the {@value S3Storage#WRITE_ID} (random per
 * upload, so an object BackyDB writes anew never keeps it), Last-Modified and the length. It is
 * compared with the headers of the GET response that carries the bytes, not with an earlier HEAD,
 * so a replacement between the check and the read cannot slip through. An object with neither an
 * ETag nor a write id (another tool put it there) has nothing that reliably changes when it is
 * replaced, and is refused.
 */
final class S3ObjectIdentity {

  /**
   * Starts an identity that is not an ETag. An ETag is a quoted string ({@code "9b2cf5..."}), so
   * the two never mix up.
   */
  static final String WRITTEN = "backy-written:";

  private S3ObjectIdentity() {}

  /** The identity from a HEAD response; a one-line storage error if there is none. */
  static String of(HeadObjectResponse h, String location) {
    return of(h.eTag(), written(h.metadata(), h.lastModified(), h.contentLength()), location);
  }

  private static String of(String eTag, String written, String location) {
    if (eTag != null && !eTag.isBlank()) {
      return eTag;
    }
    if (written != null) {
      return written;
    }
    throw new BackyException(
        ErrorCode.STORAGE,
        location
            + " has no ETag (the S3 server sends none) and no "
            + S3Storage.WRITE_ID
            + " (BackyDB did not upload it): nothing would show whether it is replaced while it is"
            + " read, so it is not read");
  }

  /** Whether {@code version} is an ETag, which the server compares itself ({@code If-Match}). */
  static boolean isETag(String version) {
    return !version.startsWith(WRITTEN);
  }

  /**
   * The identity of the bytes a GET response carries, in the form {@link #of} gives an object
   * without an ETag; null if the object has no write id (it is not the one that was checked).
   */
  static String written(GetObjectResponse g) {
    return written(g.metadata(), g.lastModified(), g.contentLength());
  }

  private static String written(Map<String, String> metadata, Instant lastModified, Long length) {
    String writeId = metadata == null ? null : metadata.get(S3Storage.WRITE_ID);
    if (writeId == null || writeId.isBlank()) {
      return null;
    }
    return WRITTEN + writeId + "/" + lastModified + "/" + length;
  }
}
