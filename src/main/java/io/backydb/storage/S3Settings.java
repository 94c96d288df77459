package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * How to reach S3, from the {@code AWS_S3_*} environment variables. The secret key never appears in
 * {@link #toString()}.
 *
 * @param endpoint an S3-compatible server's URL, or null for AWS itself
 * @param pathStyle path-style addressing ({@code http://host/bucket/key}) rather than
 *     virtual-hosted ({@code http://bucket.host/key})
 */
public record S3Settings(
    String accessKeyId,
    String secretAccessKey,
    String bucket,
    String region,
    URI endpoint,
    boolean pathStyle) {

  /**
   * Reads the environment; {@code pathStyle} null means: path-style when an endpoint is set. Fails
   * with a one-line config error naming a missing variable.
   */
  public static S3Settings fromEnvironment(Environment env, Boolean pathStyle) {
    String why = "for S3 storage";
    String id = env.requireNonEmpty(Environment.AWS_S3_ACCESS_KEY_ID, why + ": the access key id");
    String secret =
        env.requireNonEmpty(Environment.AWS_S3_SECRET_ACCESS_KEY, why + ": the secret key");
    String bucket = env.requireNonEmpty(Environment.AWS_S3_BUCKET_NAME, why + ": the bucket");
    String region =
        env.requireNonEmpty(
            Environment.AWS_S3_REGION, why + ": the bucket's region, e.g. eu-west-1 (R2: auto)");
    URI endpoint = null;
    String e = env.get(Environment.AWS_S3_ENDPOINT).orElse("").trim();
    if (!e.isEmpty()) {
      try {
        endpoint = new URI(e);
      } catch (URISyntaxException x) {
        endpoint = null;
      }
      if (endpoint == null
          || endpoint.getHost() == null
          || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
        throw new BackyException(
            ErrorCode.CONFIG,
            "environment variable "
                + Environment.AWS_S3_ENDPOINT
                + " must be an http:// or https:// URL, e.g. http://127.0.0.1:9000");
      }
    }
    return new S3Settings(
        id, secret, bucket, region, endpoint, pathStyle != null ? pathStyle : endpoint != null);
  }

  public S3Settings withBucket(String b) {
    return new S3Settings(accessKeyId, secretAccessKey, b, region, endpoint, pathStyle);
  }

  /** Parses {@code s3://bucket/key}; a one-line config error if it is not one. */
  static URI parseS3Uri(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || uri.getRawPath() == null
        || uri.getRawPath().length() < 2) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "'" + location + "' is not an S3 location like s3://bucket/prefix/name.backy");
    }
    return uri;
  }

  @Override
  public String toString() {
    return "S3Settings[bucket="
        + bucket
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", pathStyle="
        + pathStyle
        + ", accessKeyId="
        + accessKeyId
        + ", secretAccessKey=****]";
  }
}
