package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;

/**
 * An {@code s3://bucket/key} location as {@code bin/backy backup} prints it, taken apart as text: a
 * key is any UTF-8 text (a prefix may hold spaces, '#', '%' or non-ASCII letters), which {@link
 * java.net.URI} would refuse or decode, and a legacy bucket name may hold '_' or upper case, which
 * it does not take for a host.
 *
 * @param bucket the bucket
 * @param key the object key (or a folder backup's key), never empty
 */
public record S3Location(String bucket, String key) {

  public static final String SCHEME = "s3://";

  /*
   * What any S3 server may take for a bucket name: AWS's own rules (3-63 lower-case letters, digits,
   * '.' and '-') widened to its legacy names (upper case, '_', up to 255 characters), which Ceph and
   * older buckets still have. A name outside them (a space, '/', ':') is a typo that the server
   * reports as a missing bucket, and only once the backup is dumped.
   */
  private static final int MIN_BUCKET = 3;

  private static final int MAX_BUCKET = 255;

  /** Parses {@code s3://bucket/key}; a one-line configuration error if it is not one. */
  public static S3Location parse(String location) {
    String rest = location.startsWith(SCHEME) ? location.substring(SCHEME.length()) : null;
    int slash = rest == null ? -1 : rest.indexOf('/');
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (slash <= 0 || key.replace("/", "").isEmpty()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "'" + location + "' is not an S3 location like s3://bucket/prefix/name.backy");
    }
    String bucket = rest.substring(0, slash);
    String why = bucketNameProblem(bucket);
    if (why != null) {
      throw new BackyException(
          ErrorCode.CONFIG, "'" + location + "' names bucket '" + bucket + "', which " + why);
    }
    return new S3Location(bucket, key);
  }

  /**
   * Why {@code bucket} cannot be an S3 bucket's name (ending a sentence such as "bucket 'x', which
   * ..."), or null if it can be one.
   */
  static String bucketNameProblem(String bucket) {
    if (bucket.length() < MIN_BUCKET || bucket.length() > MAX_BUCKET) {
      return "is not a bucket name: it has "
          + bucket.length()
          + " characters, a bucket name 3 to 63 (old AWS buckets up to 255)";
    }
    int bad = bucket.codePoints().filter(c -> !isBucketChar(c)).findFirst().orElse(-1);
    if (bad < 0) {
      return null;
    }
    return "is not a bucket name: it holds '"
        + new String(Character.toChars(bad))
        + "', and a bucket name only letters, digits, '.' and '-' (and '_' in old buckets)";
  }

  private static boolean isBucketChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }
}
