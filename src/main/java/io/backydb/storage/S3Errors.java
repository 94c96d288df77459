package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.net.UnknownHostException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One-line storage errors from the AWS SDK's exceptions. The SDK's own words for the commonest
 * mistakes do not name them: a wrong key or secret reads "Forbidden (Service: S3, Status Code:
 * 403)" (a HEAD answer has no body to say more), a bucket in another region "Moved Permanently";
 * those are said in the operator's terms, the variable to correct, with the server's words kept in
 * brackets. The secret key is never part of a message: neither the SDK nor the server repeats it.
 */
final class S3Errors {

  private static final int MOVED_PERMANENTLY = 301;
  private static final int FORBIDDEN = 403;

  /** The header in which S3 names a bucket's region when a request went to another one. */
  private static final String BUCKET_REGION = "x-amz-bucket-region";

  private S3Errors() {}

  /** A one-line storage error: what failed on which object, why, and the server's first line. */
  static BackyException failure(String doing, String where, SdkException e) {
    String words = firstLine(e);
    String why = explain(e, bucketOf(where));
    String message =
        why == null ? words + " (check AWS_S3_* and the server)" : why + " [" + words + "]";
    return new BackyException(
        ErrorCode.STORAGE, "S3 error " + doing + " " + where + ": " + message, e);
  }

  /**
   * Whether the error says, whatever the request, that no backup can be written with these
   * settings: the bucket does not exist or is in another region, the server does not know the key
   * id or the secret is wrong, or the endpoint's host name does not resolve. A plain 403
   * (AccessDenied) is not: an IAM policy may refuse one request (a listing) and allow the ones a
   * backup sends (PutObject). Nor is any other error (a 5xx, a timeout), which may pass.
   */
  static boolean refusesEveryRequest(SdkException e) {
    if (explain(e, "") == null) {
      return false;
    }
    if (e instanceof S3Exception s3 && s3.statusCode() == FORBIDDEN) {
      String code = errorCode(s3);
      return "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code);
    }
    return true;
  }

  /** What the error means for the operator, or null where the SDK's words are all there is. */
  private static String explain(SdkException e, String bucket) {
    if (!(e instanceof S3Exception s3)) {
      return unreachable(e);
    }
    String code = errorCode(s3);
    if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
      return "bucket '" + bucket + "' does not exist";
    }
    if ("InvalidAccessKeyId".equals(code)) {
      return "the server does not know the access key id in " + Environment.AWS_S3_ACCESS_KEY_ID;
    }
    if ("SignatureDoesNotMatch".equals(code)) {
      return Environment.AWS_S3_SECRET_ACCESS_KEY
          + " is not the secret key of "
          + Environment.AWS_S3_ACCESS_KEY_ID
          + " (the request's signature does not match)";
    }
    if (s3.statusCode() == FORBIDDEN) {
      return "access denied: "
          + Environment.AWS_S3_ACCESS_KEY_ID
          + " or "
          + Environment.AWS_S3_SECRET_ACCESS_KEY
          + " is wrong, or the key lacks a permission on bucket '"
          + bucket
          + "' (docs/storage.md lists them)";
    }
    if (s3.statusCode() == MOVED_PERMANENTLY || "PermanentRedirect".equals(code)) {
      String region =
          s3.awsErrorDetails() == null || s3.awsErrorDetails().sdkHttpResponse() == null
              ? null
              : s3.awsErrorDetails()
                  .sdkHttpResponse()
                  .firstMatchingHeader(BUCKET_REGION)
                  .orElse(null);
      return region == null
          ? "bucket '" + bucket + "' is in another region than " + Environment.AWS_S3_REGION
          : "bucket '"
              + bucket
              + "' is in region "
              + region
              + ", not in the one "
              + Environment.AWS_S3_REGION
              + " names: set "
              + Environment.AWS_S3_REGION
              + "="
              + region;
    }
    return null;
  }

  /**
   * Why the server could not be reached, where the SDK's words hide it: for a host name that does
   * not resolve they say "See cause for the exact endpoint that is failing to resolve", and the
   * cause is not shown.
   */
  private static String unreachable(SdkException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException u) {
        String host = u.getMessage() == null ? "?" : u.getMessage();
        int colon = host.indexOf(": ");
        return "host name '"
            + (colon < 0 ? host : host.substring(0, colon))
            + "' does not resolve (check "
            + Environment.AWS_S3_ENDPOINT
            + ", or for AWS "
            + Environment.AWS_S3_REGION
            + ")";
      }
    }
    return null;
  }

  /** The S3 error code ({@code NoSuchBucket}, {@code AccessDenied}, ...), or null. */
  static String errorCode(S3Exception e) {
    AwsErrorDetails d = e.awsErrorDetails();
    return d == null ? null : d.errorCode();
  }

  private static String firstLine(SdkException e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }

  /** The bucket of an {@code s3://bucket/key} location. */
  private static String bucketOf(String where) {
    String rest =
        where.startsWith(S3Location.SCHEME) ? where.substring(S3Location.SCHEME.length()) : where;
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
