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
   * Reads the environment, the bucket from {@code AWS_S3_BUCKET_NAME}. {@code pathStyle} (the
   * config's {@code path_style}) null means: {@code AWS_S3_PATH_STYLE} if set, else path-style when
   * an endpoint is set. Fails with a one-line config error naming a missing variable.
   */
  public static S3Settings fromEnvironment(Environment env, Boolean pathStyle) {
    String bucket =
        env.requireNonEmpty(Environment.AWS_S3_BUCKET_NAME, "for S3 storage: the bucket");
    String why = S3Location.bucketNameProblem(bucket);
    if (why != null) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "environment variable " + Environment.AWS_S3_BUCKET_NAME + " ('" + bucket + "') " + why);
    }
    return read(env, bucket, pathStyle);
  }

  /**
   * Reads the environment for a given bucket, such as the one of an {@code s3://bucket/key}
   * location: {@code AWS_S3_BUCKET_NAME} is not needed; path-style as {@code AWS_S3_PATH_STYLE}
   * says, else path-style when an endpoint is set.
   */
  public static S3Settings forBucket(Environment env, String bucket) {
    return read(env, bucket, null);
  }

  private static S3Settings read(Environment env, String bucket, Boolean pathStyle) {
    String why = "for S3 storage";
    String id = env.requireNonEmpty(Environment.AWS_S3_ACCESS_KEY_ID, why + ": the access key id");
    String secret =
        env.requireNonEmpty(Environment.AWS_S3_SECRET_ACCESS_KEY, why + ": the secret key");
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
    Boolean fromEnv = pathStyleFromEnvironment(env);
    boolean path = pathStyle != null ? pathStyle : fromEnv != null ? fromEnv : endpoint != null;
    return new S3Settings(id, secret, bucket, region, endpoint, path);
  }

  /** {@code AWS_S3_PATH_STYLE}: true, false, or null when unset or empty. */
  private static Boolean pathStyleFromEnvironment(Environment env) {
    String v = env.get(Environment.AWS_S3_PATH_STYLE).orElse("").trim();
    if (v.isEmpty()) {
      return null;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.valueOf(v.toLowerCase(java.util.Locale.ROOT));
    }
    throw new BackyException(
        ErrorCode.CONFIG,
        "environment variable "
            + Environment.AWS_S3_PATH_STYLE
            + " must be true or false (got '"
            + v
            + "')");
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
