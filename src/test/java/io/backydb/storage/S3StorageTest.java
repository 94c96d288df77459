package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupWriter;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.config.StorageConfig;
import io.backydb.config.StorageType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;

/** S3 specifics: multipart uploads, a server that goes away, part sizes, config and settings. */
class S3StorageTest {

  static final long PART = 5L << 20;

  @TempDir Path dir;
  S3TestServer server;
  S3Client client;
  S3Storage storage;

  @BeforeEach
  void start() throws Exception {
    server = S3TestServer.start(dir, "backups");
    client = server.client();
    storage = new S3Storage(client, server.bucket(), "prod/shop", PART);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  static byte[] sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) >= 0) {
      md.update(buf, 0, n);
    }
    return md.digest();
  }

  int uploadedParts(String key) {
    var uploads = client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads();
    assertThat(uploads).hasSize(1);
    var u = uploads.get(0);
    assertThat(u.key()).isEqualTo(key);
    return client
        .listParts(b -> b.bucket(server.bucket()).key(key).uploadId(u.uploadId()))
        .parts()
        .size();
  }

  @Test
  void multipartUpload_ofSeveralParts_roundTrips() throws Exception {
    byte[] content = StorageContractTest.data((int) (3 * PART + 23), 42);
    PendingWrite w = storage.create("shop_20261126T101500Z.backy");
    StorageContractTest.writeChunked(w.stream(), content);
    // three full parts are on the server already; the last 23 bytes wait for commit
    assertThat(uploadedParts("prod/shop/shop_20261126T101500Z.backy")).isEqualTo(3);
    assertThat(storage.list("")).isEmpty();

    assertThat(w.commit()).isEqualTo("s3://backups/prod/shop/shop_20261126T101500Z.backy");

    assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads()).isEmpty();
    assertThat(storage.size("shop_20261126T101500Z.backy")).isEqualTo(content.length);
    try (InputStream in = storage.open("shop_20261126T101500Z.backy")) {
      assertThat(sha256(in)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
    }
    assertThat(storage.list(".backy")).containsExactly("shop_20261126T101500Z.backy");
  }

  /**
   * Lets the server store the first object whose key contains {@code keyPart}, then turns its reply
   * into a 503, as a proxy or a lost connection can: the SDK retries the request.
   */
  static final class LostReply implements ExecutionInterceptor {
    final String keyPart;
    final boolean every;
    final AtomicInteger lost = new AtomicInteger();

    LostReply(String keyPart) {
      this(keyPart, false);
    }

    /** {@code every}: loses every reply to a request that stores (or tries to) the object. */
    LostReply(String keyPart, boolean every) {
      this.keyPart = keyPart;
      this.every = every;
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse ctx, ExecutionAttributes attributes) {
      SdkHttpRequest r = ctx.httpRequest();
      boolean storesObject =
          (r.method() == SdkHttpMethod.PUT && !r.rawQueryParameters().containsKey("partNumber"))
              || (r.method() == SdkHttpMethod.POST
                  && r.rawQueryParameters().containsKey("uploadId"));
      if (storesObject
          && r.encodedPath().contains(keyPart)
          && (every || (ctx.httpResponse().isSuccessful() && lost.get() == 0))) {
        lost.incrementAndGet();
        return ctx.httpResponse().toBuilder().statusCode(503).build();
      }
      return ctx.httpResponse();
    }
  }

  @ParameterizedTest(name = "{0} bytes, parts kept in memory up to {1} bytes")
  @CsvSource({"1000, 1073741824", "10485761, 1073741824", "1000, 0", "10485761, 0"})
  void aCommitWhoseReplyWasLost_isRetriedAndSucceeds_notRefusedAsAnotherWritersObject(
      int size, long memoryBudget) throws Exception {
    LostReply lostReply = new LostReply("lost");
    try (S3Client flaky =
        S3Clients.builder(server.settings())
            .overrideConfiguration(o -> o.addExecutionInterceptor(lostReply))
            .build()) {
      S3Storage s =
          new S3Storage(flaky, server.bucket(), "prod/shop", PART, new PartMemory(memoryBudget));
      byte[] content = StorageContractTest.data(size, 7);
      PendingWrite w = s.create("lost.metadata.json");
      w.stream().write(content);
      String location = w.commit();
      assertThat(lostReply.lost).hasValue(1); // the reply was lost once, and the SDK retried
      assertThat(location).isEqualTo("s3://backups/prod/shop/lost.metadata.json");
      try (InputStream in = storage.open("lost.metadata.json")) {
        assertThat(sha256(in)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
      }
      assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads()).isEmpty();
    }
  }

  /**
   * Every reply to the commit is lost (the first stored the object; the SDK's retries got 412, and
   * lost that too), so the SDK gives up with an error: the object is there all the same, and is
   * ours, so the commit succeeded. Reporting a failure would leave a sidecar listed for a backup
   * that was rolled back.
   */
  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"1000", "10485761"})
  void aCommitWhoseRepliesWereAllLost_butThatStoredTheObject_succeeds(int size) throws Exception {
    LostReply lostReplies = new LostReply("all-lost", true);
    try (S3Client flaky =
        S3Clients.builder(server.settings())
            .overrideConfiguration(o -> o.addExecutionInterceptor(lostReplies))
            .build()) {
      S3Storage s =
          new S3Storage(flaky, server.bucket(), "prod/shop", PART, new PartMemory(1L << 30));
      byte[] content = StorageContractTest.data(size, 9);
      PendingWrite w = s.create("all-lost.metadata.json");
      w.stream().write(content);
      String location = w.commit();
      assertThat(lostReplies.lost.get()).isGreaterThan(1); // the SDK retried and gave up
      assertThat(location).isEqualTo("s3://backups/prod/shop/all-lost.metadata.json");
      try (InputStream in = storage.open("all-lost.metadata.json")) {
        assertThat(sha256(in)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
      }
    }
  }

  /**
   * Every reply lost too, but the object under the name is another writer's (committed first; the
   * commit got 412, whose reply was lost as well): the commit fails, and the other object stays.
   */
  @Test
  void aCommitWhoseRepliesWereAllLost_andAnotherWritersObjectIsThere_fails() throws Exception {
    LostReply lostReplies = new LostReply("taken", true);
    try (S3Client flaky =
        S3Clients.builder(server.settings())
            .overrideConfiguration(o -> o.addExecutionInterceptor(lostReplies))
            .build()) {
      S3Storage s =
          new S3Storage(flaky, server.bucket(), "prod/shop", PART, new PartMemory(1L << 30));
      PendingWrite mine = s.create("taken.metadata.json");
      mine.stream().write(new byte[] {1, 2, 3});
      PendingWrite other = storage.create("taken.metadata.json");
      other.stream().write(new byte[] {4, 5});
      other.commit();
      assertThatThrownBy(mine::commit)
          .hasMessageContaining("s3://backups/prod/shop/taken.metadata.json");
      assertThat(storage.size("taken.metadata.json")).isEqualTo(2);
    }
  }

  /**
   * A server that answers, then stops reading in the middle of an upload (a stalled peer, a
   * middlebox): the upload's write blocks once the socket buffers are full, and a socket write has
   * no timeout of its own. The upload must fail within its attempt timeouts, not hang the backup
   * for ever.
   */
  @Test
  @org.junit.jupiter.api.Timeout(
      value = 120,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void anUploadToAServerThatStopsReading_failsWithinItsTimeout_insteadOfHanging() throws Exception {
    List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (java.net.ServerSocket stalled =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      // answers HEAD (404: nothing there yet), then stops reading at the first PUT
      Thread acceptor =
          new Thread(
              () -> {
                while (!stalled.isClosed()) {
                  try {
                    java.net.Socket socket = stalled.accept();
                    held.add(socket);
                    Thread t = new Thread(() -> answerHeadsOnly(socket));
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      S3Settings settings =
          new S3Settings(
              "key",
              "secret",
              "backups",
              "us-east-1",
              java.net.URI.create("http://127.0.0.1:" + stalled.getLocalPort()),
              true);
      long part = 64L << 20;
      try (S3Client c = S3Clients.builder(settings).build()) {
        S3Storage s =
            new S3Storage(
                c,
                "backups",
                "prod",
                part,
                new PartMemory(1L << 30),
                new S3Storage.UploadTimeout(Duration.ofSeconds(1), 1L << 30));
        PendingWrite w = s.create("stalled.backy");
        w.stream().write(new byte[32 << 20]); // one PUT, more than loopback's socket buffers hold
        long start = System.nanoTime();
        assertThatThrownBy(w::commit)
            .hasMessageStartingWith("S3 error uploading s3://backups/prod/stalled.backy: ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
      }
    } finally {
      for (java.net.Socket socket : held) {
        socket.close();
      }
    }
  }

  /**
   * AWS answers a request sent to another region than the bucket's with 301 and the bucket's region
   * in {@code x-amz-bucket-region}, with no body for a HEAD: the SDK's words were "null (Service:
   * S3, Status Code: 301, ...)". The error says which region to set.
   */
  @Test
  void aBucketInAnotherRegion_isNamedWithTheRegionToSet() throws Exception {
    com.sun.net.httpserver.HttpServer aws =
        answering(
            301,
            "PermanentRedirect",
            "The bucket you are attempting to access must be addressed using the specified"
                + " endpoint.",
            "eu-west-1");
    try (S3Client c = S3Clients.build(settingsOf(aws))) {
      S3Storage s = new S3Storage(c, "backups", "prod", PART);
      assertThatThrownBy(() -> s.create("x.backy"))
          .isInstanceOf(BackyException.class)
          .hasMessageStartingWith(
              "S3 error checking s3://backups/prod/x.backy: bucket 'backups' is in region"
                  + " eu-west-1, not in the one AWS_S3_REGION names: set AWS_S3_REGION=eu-west-1 [");
      assertThatThrownBy(() -> s.list(".json"))
          .hasMessageStartingWith(
              "S3 error listing s3://backups/prod/: bucket 'backups' is in region eu-west-1");
    } finally {
      aws.stop(0);
    }
  }

  /**
   * The check before a backup fails only on an answer every request would get: an IAM policy may
   * refuse the listing it sends (AccessDenied) and still allow the uploads, so that 403 lets the
   * backup go on; a missing bucket or a bucket in another region fails it, in the upload's words.
   */
  @Test
  void checkDestination_failsOnAMissingBucketOrAnotherRegion_butNotOnAccessDenied()
      throws Exception {
    assertThat(refusal(403, "AccessDenied", null)).isNull();
    assertThat(refusal(500, "InternalError", null)).isNull();
    assertThat(refusal(404, "NoSuchBucket", null))
        .startsWith("S3 error checking s3://backups/prod/: bucket 'backups' does not exist [");
    assertThat(refusal(301, "PermanentRedirect", "eu-west-1"))
        .startsWith(
            "S3 error checking s3://backups/prod/: bucket 'backups' is in region eu-west-1, not in"
                + " the one AWS_S3_REGION names: set AWS_S3_REGION=eu-west-1 [");
    assertThat(refusal(403, "InvalidAccessKeyId", null))
        .contains(": the server does not know the access key id in AWS_S3_ACCESS_KEY_ID [");
  }

  /**
   * What {@link S3Storage#checkDestination} says (null: nothing) when a server answers every
   * request with {@code status} and the S3 error {@code code} (and the bucket's region, if given).
   */
  static String refusal(int status, String code, String region) throws Exception {
    com.sun.net.httpserver.HttpServer server = answering(status, code, code, region);
    try (S3Client c = S3Clients.build(settingsOf(server))) {
      new S3Storage(c, "backups", "prod", PART).checkDestination();
      return null;
    } catch (BackyException e) {
      return e.getMessage();
    } finally {
      server.stop(0);
    }
  }

  /**
   * A started server on 127.0.0.1 that answers every request with {@code status} and the S3 error
   * {@code code} (as S3 does, without a body for a HEAD), and the bucket's region in {@code
   * x-amz-bucket-region} if {@code region} is not null.
   */
  static com.sun.net.httpserver.HttpServer answering(
      int status, String code, String message, String region) throws IOException {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          if (region != null) {
            exchange.getResponseHeaders().add("x-amz-bucket-region", region);
          }
          byte[] body =
              "HEAD".equals(exchange.getRequestMethod())
                  ? new byte[0]
                  : ("<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>")
                      .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }

  /** Settings for bucket {@code backups} on {@code server}, with made-up credentials. */
  static S3Settings settingsOf(com.sun.net.httpserver.HttpServer server) {
    return new S3Settings(
        "key",
        "secret",
        "backups",
        "us-east-1",
        java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        true);
  }

  /**
   * A host name that does not resolve read "Received an UnknownHostException ... See cause for the
   * exact endpoint that is failing to resolve", and the cause was never shown.
   */
  @Test
  void anEndpointWhoseHostDoesNotResolve_isNamed() {
    Map<String, String> e = new HashMap<>(env());
    e.put(Environment.AWS_S3_ENDPOINT, "http://no-such-host.invalid:9000");
    BackupStorage s = Storages.open(new StorageConfig(StorageType.AWS), Environment.of(e));
    assertThatThrownBy(() -> s.list(".json"))
        .isInstanceOf(BackyException.class)
        .hasMessageStartingWith(
            "S3 error listing s3://backups/: host name 'no-such-host.invalid' does not resolve"
                + " (check AWS_S3_ENDPOINT, or for AWS AWS_S3_REGION) [")
        .satisfies(x -> assertThat(x.getMessage()).doesNotContain("\n"));
  }

  /**
   * Answers every HEAD request on the connection with 404, and reads nothing after a PUT's head.
   */
  private static void answerHeadsOnly(java.net.Socket socket) {
    try {
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String requestLine;
      while ((requestLine = in.readLine()) != null) {
        String header;
        do {
          header = in.readLine();
        } while (header != null && !header.isEmpty());
        if (!requestLine.startsWith("HEAD ")) {
          return; // a PUT: its body is never read, and the connection stays open
        }
        socket
            .getOutputStream()
            .write(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
      }
    } catch (IOException e) {
      // the test closes the connection
    }
  }

  static long spoolFiles() throws IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith(".backy-spool.")).count();
    }
  }

  @Test
  void partsLargerThanTheMemoryBudget_goThroughAnEncryptedTemporaryFile() throws Exception {
    long spoolsBefore = spoolFiles();
    S3Storage spooling =
        new S3Storage(client, server.bucket(), "prod/shop", PART, new PartMemory(PART - 1));
    byte[] content = StorageContractTest.data(3 * (int) PART + 11, 5);
    String marker = "plaintext-marker-" + System.nanoTime();
    System.arraycopy(marker.getBytes(StandardCharsets.US_ASCII), 0, content, 100, marker.length());
    PendingWrite w = spooling.create("spooled.backy");
    w.stream().write(content, 0, (int) PART + 100 + marker.length());
    // the first part is being collected in a temporary file, owner-only and without the plaintext
    List<Path> spools;
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      spools = files.filter(f -> f.getFileName().toString().startsWith(".backy-spool.")).toList();
    }
    assertThat(spools).hasSize((int) (spoolsBefore + 1));
    for (Path spool : spools) {
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(spool)))
          .isEqualTo("rw-------");
      assertThat(new String(Files.readAllBytes(spool), StandardCharsets.ISO_8859_1))
          .doesNotContain(marker);
    }
    w.stream()
        .write(
            content,
            (int) PART + 100 + marker.length(),
            content.length - (int) PART - 100 - marker.length());
    w.commit();
    assertThat(spoolFiles()).isEqualTo(spoolsBefore);
    try (InputStream in = storage.open("spooled.backy")) {
      assertThat(sha256(in)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
    }

    // an aborted upload leaves no temporary file either
    PendingWrite aborted = spooling.create("aborted.backy");
    aborted.stream().write(content, 0, (int) PART + 1);
    aborted.abort();
    assertThat(spoolFiles()).isEqualTo(spoolsBefore);
  }

  /**
   * Two uploads at once (two backups of a {@code backy run} service) draw on one memory budget with
   * room for one part: the second one's part goes to disk, and the memory comes back after each
   * uploaded part, on commit, on abort and when the server goes away.
   */
  @Test
  void uploadsAtOnce_shareOneMemoryBudget_theOneWithoutRoomSpools() throws Exception {
    PartMemory memory = new PartMemory(PART + PART / 2); // room for one part, not two
    S3Storage one = new S3Storage(client, server.bucket(), "prod/shop", PART, memory);
    S3Storage two = new S3Storage(client, server.bucket(), "prod/shop", PART, memory);
    long spools = PartBufferTest.ownSpoolFiles();
    byte[] a = StorageContractTest.data((int) (2 * PART + 7), 11);
    byte[] b = StorageContractTest.data((int) (2 * PART + 9), 12);

    PendingWrite wa = one.create("a.backy");
    wa.stream().write(a, 0, 10);
    assertThat(memory.available()).as("a's part is in memory").isEqualTo(PART / 2);
    PendingWrite wb = two.create("b.backy");
    wb.stream().write(b, 0, 10);
    assertThat(PartBufferTest.ownSpoolFiles()).as("b's part is on disk").isEqualTo(spools + 1);
    assertThat(memory.available()).isEqualTo(PART / 2);

    wa.stream().write(a, 10, a.length - 10);
    wa.commit();
    assertThat(memory.available()).isEqualTo(memory.capacity());
    // b's spooled part is sent when full; its next part finds room in memory
    wb.stream().write(b, 10, (int) PART);
    assertThat(PartBufferTest.ownSpoolFiles()).isEqualTo(spools);
    assertThat(memory.available()).isEqualTo(PART / 2);
    wb.stream().write(b, 10 + (int) PART, b.length - 10 - (int) PART);
    wb.commit();
    assertThat(memory.available()).isEqualTo(memory.capacity());
    for (var expected : Map.of("a.backy", a, "b.backy", b).entrySet()) {
      try (InputStream in = storage.open(expected.getKey())) {
        assertThat(in.readAllBytes()).isEqualTo(expected.getValue());
      }
    }

    PendingWrite aborted = one.create("c.backy");
    aborted.stream().write(a, 0, 10);
    assertThat(memory.available()).isEqualTo(PART / 2);
    aborted.abort();
    assertThat(memory.available()).isEqualTo(memory.capacity());

    PendingWrite cut = one.create("d.backy");
    cut.stream().write(a, 0, 10);
    server.stop();
    assertThatThrownBy(() -> cut.stream().write(a, 10, (int) PART))
        .isInstanceOf(BackyException.class);
    assertThat(memory.available())
        .as("given back by the failed upload")
        .isEqualTo(memory.capacity());
    server.restart();
  }

  @Test
  void twoBackupsThatTookOneName_theSecondFailsWithOneLine_andTheFirstStays() throws Exception {
    String object = "shop_20261126T101500Z.backy";
    byte[] first = StorageContractTest.data(2 * (int) PART + 1, 1);
    byte[] second = StorageContractTest.data(3 * (int) PART + 7, 2);
    CountDownLatch firstStored = new CountDownLatch(1);
    // the second backup starts uploading first, and its stream ends after the first is stored
    InputStream slowSecond =
        new SequenceInputStream(
            new ByteArrayInputStream(second),
            new InputStream() {
              @Override
              public int read() throws IOException {
                return read(new byte[1], 0, 1);
              }

              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                try {
                  firstStored.await();
                } catch (InterruptedException e) {
                  throw new InterruptedIOException();
                }
                return -1;
              }
            });
    var secondResult =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BackupWriter(storage).write(object, slowSecond);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads().isEmpty());

    new BackupWriter(storage).write(object, new ByteArrayInputStream(first));
    firstStored.countDown();

    assertThatThrownBy(secondResult::join)
        .hasCauseInstanceOf(BackyException.class)
        .cause()
        .hasMessage(
            "writing s3://backups/prod/shop/"
                + object
                + " failed: another backup took the name "
                + object
                + " in the same second; run it again");
    try (InputStream in = storage.open(object)) {
      assertThat(sha256(in)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(first));
    }
    assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads()).isEmpty();
  }

  @Test
  void anObjectLargerThanTheHeap_streamsUpAndDown() throws Exception {
    long size = 600L << 20;
    assertThat(Runtime.getRuntime().maxMemory())
        .as("the test JVM's heap must be smaller than the object for this test to prove anything")
        .isLessThan(size);
    S3Storage s = new S3Storage(client, server.bucket(), "big", 16L << 20);
    MessageDigest written = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1 << 20];
    java.util.Random random = new java.util.Random(5);
    try (PendingWrite w = s.create("huge.backy")) {
      for (long done = 0; done < size; done += block.length) {
        random.nextBytes(block);
        written.update(block);
        w.stream().write(block);
      }
      w.commit();
    }
    assertThat(s.size("huge.backy")).isEqualTo(size);
    try (InputStream in = s.open("huge.backy")) {
      assertThat(sha256(in)).isEqualTo(written.digest());
    }
    s.delete("huge.backy");
  }

  @Test
  void abort_afterSomeParts_removesTheUpload() throws Exception {
    PendingWrite w = storage.create("big.backy");
    StorageContractTest.writeChunked(w.stream(), StorageContractTest.data((int) (2 * PART + 5), 1));
    assertThat(uploadedParts("prod/shop/big.backy")).isEqualTo(2);
    w.abort();
    assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads()).isEmpty();
    assertThat(storage.exists("big.backy")).isFalse();
    assertThat(storage.list("")).isEmpty();
  }

  @Test
  void abort_onAnInterruptedThread_stillRemovesTheUpload() throws Exception {
    // a stop request (SIGTERM) interrupts the thread that writes the backup, which then aborts
    PendingWrite w = storage.create("stopped.backy");
    StorageContractTest.writeChunked(w.stream(), StorageContractTest.data((int) (PART + 5), 2));
    assertThat(uploadedParts("prod/shop/stopped.backy")).isEqualTo(1);

    Thread.currentThread().interrupt();
    w.abort();
    boolean stillInterrupted = Thread.interrupted();

    assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
    assertThat(client.listMultipartUploads(b -> b.bucket(server.bucket())).uploads()).isEmpty();
  }

  @Test
  void delete_onAnInterruptedThread_stillDeletes() throws Exception {
    // a backup stopped after its file was committed rolls back on the interrupted thread
    PendingWrite w = storage.create("committed.backy");
    StorageContractTest.writeChunked(w.stream(), StorageContractTest.data(100, 3));
    w.commit();

    Thread.currentThread().interrupt();
    storage.delete("committed.backy");
    boolean stillInterrupted = Thread.interrupted();

    assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
    assertThat(storage.exists("committed.backy")).isFalse();
  }

  @Test
  void serverGoneMidUpload_failsWithOneLine_andLeavesNothingListed() throws Exception {
    PendingWrite w = storage.create("cut.backy");
    StorageContractTest.writeChunked(w.stream(), StorageContractTest.data((int) PART + 5, 2));
    assertThat(uploadedParts("prod/shop/cut.backy")).isEqualTo(1);

    server.stop();
    byte[] more = StorageContractTest.data((int) PART, 3);
    assertThatThrownBy(
            () -> {
              try (w) {
                w.stream().write(more);
                w.commit();
              }
            })
        .isInstanceOf(BackyException.class)
        .hasMessageStartingWith("S3 error uploading s3://backups/prod/shop/cut.backy: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(S3TestServer.SECRET_KEY));

    server.restart();
    assertThat(storage.exists("cut.backy")).isFalse();
    assertThat(storage.list("")).isEmpty();
  }

  @Test
  void partSizes_stayWithinS3Limits_andCoverSeveralTerabytes() {
    long base = 16L << 20;
    assertThat(S3Storage.partSize(base, 1)).isEqualTo(base);
    assertThat(S3Storage.partSize(base, 1000)).isEqualTo(base);
    assertThat(S3Storage.partSize(base, 1001)).isEqualTo(2 * base);
    for (long first : new long[] {5L << 20, base, 2047L << 20}) {
      long total = 0;
      for (int p = 1; p <= S3Storage.MAX_PARTS; p++) {
        long size = S3Storage.partSize(first, p);
        assertThat(size).isBetween(first, S3Storage.MAX_PART_SIZE);
        total += size;
      }
      assertThat(total).as("bytes in 10,000 parts from %d", first).isGreaterThan(2L << 40);
    }
  }

  @Test
  void nameOf_acceptsOnlyThisBucketAndPrefix() {
    assertThat(storage.nameOf("s3://backups/prod/shop/a.sql")).isEqualTo("a.sql");
    assertThat(storage.nameOf("s3://backups/prod/shop/a/")).isEqualTo("a");
    assertThat(storage.nameOf("s3://backups/prod/other/a.sql")).isNull();
    assertThat(storage.nameOf("s3://elsewhere/prod/shop/a.sql")).isNull();
    assertThat(storage.nameOf("s3://backups/prod/shop/../x.sql")).isNull();
    assertThat(storage.location("a.sql")).isEqualTo("s3://backups/prod/shop/a.sql");
  }

  Map<String, String> env() {
    return server.environment(Map.of());
  }

  @Test
  void storages_opensS3FromTheConfigAndEnvironment() throws Exception {
    StorageConfig config =
        ConfigLoader.backupFromText(
                "database: {host: h, user: u, db_name: d}\n"
                    + "storage: {storage_type: s3, prefix: nightly/, part_size_mb: 5}\n")
            .storage();
    assertThat(config.type()).isEqualTo(StorageType.AWS);
    BackupStorage s = Storages.open(config, Environment.of(env()));
    assertThat(s.location("x.sql")).isEqualTo("s3://backups/nightly/x.sql");
    try (PendingWrite w = s.create("x.sql")) {
      w.stream().write(new byte[] {1, 2, 3});
      w.commit();
    }
    assertThat(storage.exists("x.sql")).isFalse();
    assertThat(s.list(".sql")).containsExactly("x.sql");

    Storages.Located l = Storages.forLocation("s3://backups/nightly/x.sql", Environment.of(env()));
    // a .sql file's storage starts one folder up, where a folder backup's sidecar would be
    assertThat(l.storage().nameOf(l.location())).isEqualTo("nightly/x.sql");
    assertThat(l.storage().location("nightly/x.sql")).isEqualTo(l.location());
    try (InputStream in = l.storage().open("nightly/x.sql")) {
      assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void storages_namesAMissingVariable() {
    Map<String, String> e = new HashMap<>(env());
    e.remove(Environment.AWS_S3_BUCKET_NAME);
    assertThatThrownBy(() -> Storages.open(new StorageConfig(StorageType.AWS), Environment.of(e)))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("AWS_S3_BUCKET_NAME")
        .satisfies(x -> assertThat(((BackyException) x).code()).isEqualTo(ErrorCode.CONFIG));
    e.put(Environment.AWS_S3_BUCKET_NAME, "bkt");
    e.put(Environment.AWS_S3_ENDPOINT, "127.0.0.1:9000");
    assertThatThrownBy(() -> Storages.open(new StorageConfig(StorageType.AWS), Environment.of(e)))
        .hasMessageContaining("AWS_S3_ENDPOINT must be an http:// or https:// URL");
  }

  @Test
  void pathStyle_isOnWithAnEndpoint_unlessConfigSaysOtherwise() {
    Map<String, String> e = new HashMap<>(env());
    assertThat(S3Settings.fromEnvironment(Environment.of(e), null).pathStyle()).isTrue();
    assertThat(S3Settings.fromEnvironment(Environment.of(e), false).pathStyle()).isFalse();
    e.remove(Environment.AWS_S3_ENDPOINT);
    S3Settings aws = S3Settings.fromEnvironment(Environment.of(e), null);
    assertThat(aws.pathStyle()).isFalse();
    assertThat(aws.endpoint()).isNull();
    assertThat(aws.toString()).doesNotContain(S3TestServer.SECRET_KEY);
  }

  @Test
  void pathStyle_comesFromAwsS3PathStyle_whereTheConfigDoesNotSay() {
    Map<String, String> e = new HashMap<>(env());
    e.put(Environment.AWS_S3_PATH_STYLE, "false");
    assertThat(S3Settings.fromEnvironment(Environment.of(e), null).pathStyle()).isFalse();
    assertThat(S3Settings.fromEnvironment(Environment.of(e), true).pathStyle())
        .as("the config's path_style wins")
        .isTrue();
    e.put(Environment.AWS_S3_PATH_STYLE, " TRUE ");
    e.remove(Environment.AWS_S3_ENDPOINT);
    assertThat(S3Settings.fromEnvironment(Environment.of(e), null).pathStyle()).isTrue();
    e.put(Environment.AWS_S3_PATH_STYLE, "");
    assertThat(S3Settings.fromEnvironment(Environment.of(e), null).pathStyle())
        .as("empty is unset: AWS itself, virtual-hosted")
        .isFalse();
    e.put(Environment.AWS_S3_PATH_STYLE, "yes");
    assertThatThrownBy(() -> S3Settings.fromEnvironment(Environment.of(e), null))
        .isInstanceOf(BackyException.class)
        .hasMessage("environment variable AWS_S3_PATH_STYLE must be true or false (got 'yes')")
        .satisfies(x -> assertThat(((BackyException) x).code()).isEqualTo(ErrorCode.CONFIG));
  }

  @Test
  void aLocation_needsNoBucketVariable_andTakesThePathStyleFromTheEnvironment() throws Exception {
    try (PendingWrite w = storage.create("x.sql")) {
      w.stream().write(new byte[] {4, 5});
      w.commit();
    }
    Map<String, String> e = new HashMap<>(env());
    e.remove(Environment.AWS_S3_BUCKET_NAME);
    Storages.Located l = Storages.forLocation("s3://backups/prod/shop/x.sql", Environment.of(e));
    try (InputStream in = l.storage().open(l.storage().nameOf(l.location()))) {
      assertThat(in.readAllBytes()).containsExactly(4, 5);
    }

    assertThat(S3Settings.forBucket(Environment.of(e), "other").bucket()).isEqualTo("other");
    assertThat(S3Settings.forBucket(Environment.of(e), "other").pathStyle()).isTrue();
    e.put(Environment.AWS_S3_PATH_STYLE, "false");
    assertThat(S3Settings.forBucket(Environment.of(e), "other").pathStyle()).isFalse();
    e.put(Environment.AWS_S3_PATH_STYLE, "no");
    assertThatThrownBy(
            () -> Storages.forLocation("s3://backups/prod/shop/x.sql", Environment.of(e)))
        .hasMessage("environment variable AWS_S3_PATH_STYLE must be true or false (got 'no')");
  }

  /**
   * A location is taken apart as text: an old bucket's '_' and upper case (which java.net.URI takes
   * for no host) and a key's spaces, '%' and '#' stay as they are.
   */
  @Test
  void aLocation_keepsItsBucketAndKeyAsWritten() {
    Environment e = Environment.of(env());
    Storages.Located l = Storages.forLocation("s3://Old_Bucket/a b/100%/#1/x.backy", e);
    assertThat(l.storage()).hasToString("s3://Old_Bucket/a b/100%/#1/");
    assertThat(l.storage().nameOf(l.location())).isEqualTo("x.backy");
    for (String bad : new String[] {"s3://", "s3://b", "s3:///x.sql", "s3://bucket/", "s3://b//"}) {
      assertThatThrownBy(() -> Storages.forLocation(bad, e))
          .as(bad)
          .hasMessage("'" + bad + "' is not an S3 location like s3://bucket/prefix/name.backy");
    }
  }

  @Test
  void config_rejectsS3OptionsOnLocalStorage_andBadPartSizes() {
    String db = "database: {host: h, user: u, db_name: d}\n";
    assertThatThrownBy(
            () -> ConfigLoader.backupFromText(db + "storage: {storage_type: local, prefix: x/}\n"))
        .hasMessageContaining("prefix applies to S3 storage");
    assertThatThrownBy(
            () ->
                ConfigLoader.backupFromText(db + "storage: {storage_type: aws, part_size_mb: 4}\n"))
        .hasMessageContaining("part_size_mb must be between 5 and 2047");
    assertThatThrownBy(
            () -> ConfigLoader.backupFromText(db + "storage: {storage_type: aws, prefix: ../x}\n"))
        .hasMessageContaining("must be relative");
  }

  @Test
  void theS3Example_loads() {
    StorageConfig c = ConfigLoader.backupFromFile(Path.of("examples/backup-s3.yaml")).storage();
    assertThat(c.type()).isEqualTo(StorageType.AWS);
    assertThat(c.prefix()).isEqualTo("prod/");
    assertThat(c.partSizeBytes()).isEqualTo(16L << 20);
    assertThat(c.retention().keepLast()).isEqualTo(7);
    assertThat(c.retention().keepMonthly()).isEqualTo(12);
  }

  @Test
  void open_ofAMissingObject_isNoSuchFile() {
    assertThatThrownBy(() -> storage.open("nope.sql"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("s3://backups/prod/shop/nope.sql");
  }

  /** Removes the ETag from HEAD and GET replies: some S3-compatible servers send none. */
  static final class NoETag implements ExecutionInterceptor {
    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse ctx, ExecutionAttributes attributes) {
      SdkHttpMethod m = ctx.httpRequest().method();
      if (m == SdkHttpMethod.HEAD || m == SdkHttpMethod.GET) {
        return ctx.httpResponse().toBuilder().removeHeader("ETag").build();
      }
      return ctx.httpResponse();
    }
  }

  static S3Client withoutETags(S3TestServer server) {
    return S3Clients.builder(server.settings())
        .overrideConfiguration(o -> o.addExecutionInterceptor(new NoETag()))
        .build();
  }

  static void put(BackupStorage s, String name, byte[] content) throws IOException {
    PendingWrite w = s.create(name);
    w.stream().write(content);
    w.commit();
  }

  @Test
  void withoutETags_anObjectBackyDbWrote_hasAVersion_andIsReadOnlyWhileUnchanged()
      throws Exception {
    try (S3Client noETags = withoutETags(server)) {
      S3Storage s = new S3Storage(noETags, server.bucket(), "prod/shop", PART);
      byte[] first = StorageContractTest.data(1000, 1);
      put(s, "b.sql", first);
      String version = s.version("b.sql");
      assertThat(version).isNotNull().isEqualTo(s.version("b.sql"));
      try (InputStream in = s.open("b.sql", version)) {
        assertThat(in.readAllBytes()).isEqualTo(first);
      }
      // a restore locates it (taking its version) and reads it at that version
      var source = io.backydb.restore.BackupSource.locate(s, "s3://backups/prod/shop/b.sql");
      try (var dump = source.openDump()) {
        assertThat(dump.next().content().readAllBytes()).isEqualTo(first);
      }

      // replaced by as many other bytes, as likely as not within the same second
      s.delete("b.sql");
      put(s, "b.sql", StorageContractTest.data(1000, 2));
      assertThat(s.version("b.sql")).isNotEqualTo(version);
      assertThatThrownBy(() -> s.open("b.sql", version))
          .isInstanceOf(ChangedObjectException.class)
          .hasMessageContaining("s3://backups/prod/shop/b.sql");
      assertThatThrownBy(source::openDump)
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("changed while BackyDB was reading it");
    }
  }

  @Test
  void withoutETags_anObjectAnotherToolWrote_isRefusedWithOneLine() throws Exception {
    client.putObject(
        b -> b.bucket(server.bucket()).key("prod/shop/other.sql"),
        software.amazon.awssdk.core.sync.RequestBody.fromString("SELECT 1;\n"));
    try (S3Client noETags = withoutETags(server)) {
      S3Storage s = new S3Storage(noETags, server.bucket(), "prod/shop", PART);
      assertThatThrownBy(() -> s.version("other.sql"))
          .isInstanceOfSatisfying(
              BackyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE))
          .hasMessage(
              "s3://backups/prod/shop/other.sql has no ETag (the S3 server sends none) and no"
                  + " backy-write-id (BackyDB did not upload it): nothing would show whether it is"
                  + " replaced while it is read, so it is not read");
    }
  }
}
