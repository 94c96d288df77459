package io.backydb.storage;

import io.backydb.config.Environment;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An embedded s3proxy on a random 127.0.0.1 port, speaking the real S3 protocol (AWS signature V4)
 * over a folder, with one bucket. It can be stopped and started again on the same folder, so a test
 * can cut the server off mid-upload and then look at what is left.
 */
public final class S3TestServer implements AutoCloseable {

  public static final String ACCESS_KEY = "backy-test-access";
  public static final String SECRET_KEY = "backy-test-secret-0123456789";
  public static final String REGION = "us-east-1";

  static {
    // without a logback config the tests log at DEBUG, and the HTTP client's wire log of every
    // byte uploaded slows a multi-MiB upload down to seconds
    if (org.slf4j.LoggerFactory.getILoggerFactory()
        instanceof ch.qos.logback.classic.LoggerContext ctx) {
      for (String name : new String[] {"org.apache.http", "software.amazon.awssdk", "org.gaul"}) {
        ctx.getLogger(name).setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }

  private final Path dir;
  private final String bucket;
  private BlobStore blobStore;
  private S3Proxy proxy;
  private int port;

  private S3TestServer(Path dir, String bucket) {
    this.dir = dir;
    this.bucket = bucket;
  }

  /** Starts a server over {@code dir} with an empty bucket {@code bucket}. */
  public static S3TestServer start(Path dir, String bucket) throws Exception {
    S3TestServer s = new S3TestServer(dir, bucket);
    s.startProxy(0);
    s.blobStore.createContainer(bucket);
    return s;
  }

  private void startProxy(int onPort) throws Exception {
    blobStore = new FilesystemNio2BlobStore(dir.toString());
    proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:" + onPort))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .stopTimeout(0) // stop at once, like a server that dies
            .build();
    proxy.start();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> "STARTED".equals(proxy.getState()));
    port = proxy.getPort();
  }

  /** Stops the server: connections are refused until {@link #restart()}. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Starts the server again on the same port and folder. */
  public void restart() throws Exception {
    startProxy(port);
  }

  public String bucket() {
    return bucket;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The server's own view, for checks that bypass the storage under test. */
  public BlobStore blobStore() {
    return blobStore;
  }

  public S3Settings settings() {
    return new S3Settings(ACCESS_KEY, SECRET_KEY, bucket, REGION, endpoint(), true);
  }

  /** A fresh client (the caller closes it). */
  public S3Client client() {
    return S3Clients.build(settings());
  }

  /** The AWS_S3_* variables for this server, plus the given others. */
  public Map<String, String> environment(Map<String, String> others) {
    Map<String, String> env = new HashMap<>(others);
    env.put(Environment.AWS_S3_ACCESS_KEY_ID, ACCESS_KEY);
    env.put(Environment.AWS_S3_SECRET_ACCESS_KEY, SECRET_KEY);
    env.put(Environment.AWS_S3_BUCKET_NAME, bucket);
    env.put(Environment.AWS_S3_REGION, REGION);
    env.put(Environment.AWS_S3_ENDPOINT, endpoint().toString());
    return env;
  }

  @Override
  public void close() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
  }
}
