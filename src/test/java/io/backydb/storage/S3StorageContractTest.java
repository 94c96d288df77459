package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The storage contract against an embedded s3proxy, with a key prefix and S3's smallest part size
 * (5 MiB, which s3proxy enforces like S3); {@link S3StorageTest} covers multipart uploads.
 */
class S3StorageContractTest extends StorageContractTest {

  static final long PART = 5L << 20;

  @TempDir static Path dir;
  static S3TestServer server;
  static S3Client client;
  static int n;
  String prefix;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(dir, "contract");
    client = server.client();
  }

  @AfterAll
  static void stopServer() throws Exception {
    client.close();
    server.close();
  }

  @Override
  BackupStorage newStorage() {
    prefix = "run" + n++ + "/backups";
    return new S3Storage(client, server.bucket(), prefix, PART);
  }

  @Override
  void assertNoUnfinishedWrites() {
    assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket()).prefix(prefix)).uploads())
        .isEmpty();
  }

  @Override
  String foreignLocation() {
    return "s3://other-bucket/" + prefix + "/x.sql";
  }
}
