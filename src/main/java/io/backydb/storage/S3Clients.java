package io.backydb.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The AWS SDK v2 S3 clients (from camel-aws2-s3's dependencies), one per distinct setting and kept
 * for the life of the process: a client is thread-safe and holds a connection pool.
 */
public final class S3Clients {

  private static final Map<S3Settings, S3Client> CLIENTS = new ConcurrentHashMap<>();

  private S3Clients() {}

  public static S3Client get(S3Settings s) {
    return CLIENTS.computeIfAbsent(s, S3Clients::build);
  }

  /**
   * A new client. Checksums are sent and checked only where S3 requires them, so that the same
   * requests work against AWS and S3-compatible servers; every stored file's SHA-256 is in the
   * backup's metadata and checked by {@code verify} and restore.
   */
  public static S3Client build(S3Settings s) {
    return builder(s).build();
  }

  /** The builder of {@link #build}, for tests that add their own interceptors. */
  static S3ClientBuilder builder(S3Settings s) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(s.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey())))
            .httpClientBuilder(ApacheHttpClient.builder())
            .forcePathStyle(s.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (s.endpoint() != null) {
      b.endpointOverride(s.endpoint());
    }
    return b;
  }
}
