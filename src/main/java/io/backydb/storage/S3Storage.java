package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Backups in an S3 bucket (AWS, or an S3-compatible server such as MinIO, Ceph, R2 or s3proxy),
 * under an optional key prefix, through the AWS SDK v2 {@link S3Client}.
 *
 * <p>An object is uploaded as it is written: bytes are collected into one part at a time (the part
 * size, {@link #partSize(long, int)}, doubles every {@value #PARTS_PER_STEP} parts, so the 10,000
 * part limit covers several TB), and each full part is sent with UploadPart; commit sends the last
 * part and CompleteMultipartUpload, which is when the object appears. An object smaller than one
 * part is sent with a single PutObject on commit. A part is collected in memory while the JVM's
 * budget for parts (a quarter of the heap, shared by all uploads: {@link PartMemory}) has room for
 * it, and in an encrypted temporary file otherwise ({@link PartBuffer}), so memory does not grow
 * with the object nor with the number of uploads. A failed write aborts its multipart upload, so
 * nothing is left under the name. S3 has no rename: a backup becomes listed only through its
 * metadata sidecar, which is written last. PutObject and CompleteMultipartUpload carry {@code
 * If-None-Match: *}, so a commit never replaces an existing object (AWS, MinIO, R2 and s3proxy
 * honour it; a server that ignores it replaces the object, as before): the second of two backups
 * that took one name fails instead.
 */
public final class S3Storage implements BackupStorage {

  private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);

  /** The part size doubles after this many parts. */
  static final int PARTS_PER_STEP = 1_000;

  /**
   * The largest part: S3 allows 5 GiB, but a part is held in one Java array, so 2 GiB less 1 MiB.
   */
  static final long MAX_PART_SIZE = (2L << 30) - (1L << 20);

  /** S3's limit on the number of parts. */
  static final int MAX_PARTS = 10_000;

  /** {@code If-None-Match} value that makes a write succeed only where no object exists. */
  private static final String CREATE_ONLY = "*";

  private static final int PRECONDITION_FAILED = 412;

  /**
   * User metadata naming the upload that wrote an object. The SDK retries a PUT whose reply was
   * lost or was a 5xx; if the first attempt had stored the object, the retry's {@code
   * If-None-Match} fails with 412, and only this tells our own object from another writer's.
   */
  static final String WRITE_ID = "backy-write-id";

  private final S3Client client;
  private final String bucket;
  private final String prefix;
  private final long partSize;
  private final PartMemory memory;
  private final UploadTimeout uploadTimeout;

  /**
   * How long one attempt of an upload request may take: {@code floor} plus its bytes at {@code
   * minBytesPerSecond}. A socket write has no timeout of its own, so a server (or a middlebox) that
   * takes the connection and stops reading would otherwise hold the backup for ever; reads are
   * bounded by the HTTP client's socket timeout. The SDK retries an attempt that timed out.
   */
  record UploadTimeout(Duration floor, long minBytesPerSecond) {

    /** Two minutes, plus the bytes at 256 KiB/s: a stalled upload, not a slow one. */
    static final UploadTimeout DEFAULT = new UploadTimeout(Duration.ofMinutes(2), 256 << 10);

    Duration forBytes(long bytes) {
      return floor.plusSeconds(Math.max(0, bytes) / minBytesPerSecond);
    }
  }

  /**
   * @param client a configured client (region, credentials, endpoint); this storage does not close
   *     it
   * @param bucket the bucket
   * @param prefix a key prefix such as {@code prod/} (a missing trailing '/' is added), or empty
   * @param partSize the multipart upload's first part size in bytes
   */
  public S3Storage(S3Client client, String bucket, String prefix, long partSize) {
    // every upload of the JVM draws on one budget: several run at once in the service
    this(client, bucket, prefix, partSize, PartMemory.JVM);
  }

  /**
   * @param memory the budget the parts of this storage's uploads are kept in; a part it has no room
   *     for is spooled to an encrypted temporary file
   */
  S3Storage(S3Client client, String bucket, String prefix, long partSize, PartMemory memory) {
    this(client, bucket, prefix, partSize, memory, UploadTimeout.DEFAULT);
  }

  S3Storage(
      S3Client client,
      String bucket,
      String prefix,
      long partSize,
      PartMemory memory,
      UploadTimeout uploadTimeout) {
    if (partSize < 1) {
      throw new IllegalArgumentException("part size must be positive");
    }
    this.client = client;
    this.bucket = bucket;
    String p = prefix == null ? "" : prefix;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
    this.partSize = partSize;
    this.memory = memory;
    this.uploadTimeout = uploadTimeout;
  }

  public String bucket() {
    return bucket;
  }

  public String prefix() {
    return prefix;
  }

  /** An upload request's attempt timeout for {@code bytes} of body ({@link UploadTimeout}). */
  private AwsRequestOverrideConfiguration timeoutFor(long bytes) {
    return AwsRequestOverrideConfiguration.builder()
        .apiCallAttemptTimeout(uploadTimeout.forBytes(bytes))
        .build();
  }

  /** The size of part number {@code partNumber} (1-based) for a first part size of {@code base}. */
  static long partSize(long base, int partNumber) {
    int doublings = Math.min((partNumber - 1) / PARTS_PER_STEP, 30);
    return Math.min(base << doublings, Math.max(base, MAX_PART_SIZE));
  }

  /** The object key for a name, refusing names that would leave the prefix. */
  String key(String name) {
    if (!isValidName(name)) {
      throw new BackyException(
          ErrorCode.STORAGE,
          "object name '"
              + name
              + "' is not a plain relative name inside s3://"
              + bucket
              + "/"
              + prefix);
    }
    return prefix + name;
  }

  private static boolean isValidName(String name) {
    if (name == null || name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return name.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  @Override
  public PendingWrite create(String name) throws IOException {
    String key = key(name);
    if (head(key) != null) {
      throw new FileAlreadyExistsException(location(name));
    }
    return new S3PendingWrite(name, key);
  }

  @Override
  public InputStream open(String name) throws IOException {
    String key = key(name);
    try {
      return client.getObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(location(name));
    } catch (SdkException e) {
      throw failure("reading", location(name), e);
    }
  }

  @Override
  public String version(String name) throws IOException {
    HeadObjectResponse h = head(key(name));
    if (h == null) {
      throw new NoSuchFileException(location(name));
    }
    return S3ObjectIdentity.of(h, location(name));
  }

  @Override
  public InputStream open(String name, String version) throws IOException {
    String key = key(name);
    try {
      if (S3ObjectIdentity.isETag(version)) {
        // the server compares: a replaced object answers 412 instead of its new bytes
        return client.getObject(b -> b.bucket(bucket).key(key).ifMatch(version));
      }
      // a server without ETags: the response's own headers say which bytes it carries
      ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key));
      if (!version.equals(S3ObjectIdentity.written(in.response()))) {
        in.abort();
        throw new ChangedObjectException(location(name));
      }
      return in;
    } catch (NoSuchKeyException e) {
      throw new ChangedObjectException(location(name));
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw new ChangedObjectException(location(name));
      }
      throw failure("reading", location(name), e);
    } catch (SdkException e) {
      throw failure("reading", location(name), e);
    }
  }

  @Override
  public boolean exists(String name) throws IOException {
    return head(key(name)) != null;
  }

  @Override
  public long size(String name) throws IOException {
    HeadObjectResponse h = head(key(name));
    if (h == null) {
      throw new NoSuchFileException(location(name));
    }
    return h.contentLength();
  }

  private HeadObjectResponse head(String key) {
    try {
      return client.headObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw failure("checking", uri(key), e.statusCode() == 403 ? whyForbidden(key, e) : e);
    } catch (SdkException e) {
      throw failure("checking", uri(key), e);
    }
  }

  /**
   * A HEAD answer has no body: a 403 does not say whether the key id is unknown, the secret wrong,
   * or a permission missing. A listing of the same key says ({@code InvalidAccessKeyId}, {@code
   * SignatureDoesNotMatch}, {@code AccessDenied}); its error, if it fails with one, else the
   * HEAD's.
   */
  private S3Exception whyForbidden(String key, S3Exception head) {
    try {
      client.listObjectsV2(b -> b.bucket(bucket).prefix(key).maxKeys(1));
    } catch (S3Exception e) {
      if (S3Errors.errorCode(e) != null) {
        return e;
      }
    } catch (SdkException e) {
      // no better answer than the HEAD's
    }
    return head;
  }

  /**
   * Lists at most one key under the prefix. A missing bucket, a bucket in another region and wrong
   * credentials fail every request alike ({@link S3Errors#refusesEveryRequest}), so the backup
   * fails here, before the dump, with the error its upload would have given. A listing rather than
   * HeadBucket: its error has a body naming the cause (a HEAD's 403 has none), and an IAM policy
   * that allows s3:ListBucket only under the prefix allows it. Any other failure, AccessDenied
   * above all (a key may write without listing), is left to the backup's own requests.
   */
  @Override
  public void checkDestination() {
    try {
      client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(1));
    } catch (SdkException e) {
      if (S3Errors.refusesEveryRequest(e)) {
        throw failure("checking", toString(), e);
      }
      LOG.debug("checking {} before the backup: {} (left to the upload)", this, e.getMessage());
    }
  }

  @Override
  public List<String> list(String suffix) {
    List<String> names = new ArrayList<>();
    try {
      for (S3Object o :
          client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
        String name = o.key().substring(prefix.length());
        if (name.endsWith(suffix) && isValidName(name)) {
          names.add(name);
        }
      }
    } catch (SdkException e) {
      throw failure("listing", "s3://" + bucket + "/" + prefix, e);
    }
    return names;
  }

  /**
   * Unfinished multipart uploads under the folder are listed first, then its objects: an upload
   * completed between the two shows as its new object, and one that ends while its parts are read
   * counts as written now.
   */
  @Override
  public Instant lastWriteUnder(String folder) {
    String under = key(folder) + "/";
    Instant last = null;
    try {
      for (MultipartUpload u : uploads(under)) {
        last = later(last, lastWrite(u));
      }
      for (S3Object o :
          client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(under)).contents()) {
        last = later(last, o.lastModified());
      }
    } catch (SdkException e) {
      throw failure("listing", uri(under), e);
    }
    return last;
  }

  /**
   * The unfinished multipart uploads under the prefix whose start or newest part is within {@link
   * #ABANDONED_AFTER}, the age after which a local temporary file of another machine is taken for
   * abandoned ({@link PartialFiles}): S3 has no process to ask. A backup killed mid-upload is
   * therefore taken for one that runs for a day after its last part (or until its upload is
   * aborted, by hand or by a bucket lifecycle rule). An object smaller than one part is sent with a
   * single PutObject on its commit and is not seen before.
   */
  @Override
  public List<String> beingWritten() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    Instant since = Instant.now().minus(ABANDONED_AFTER);
    try {
      for (MultipartUpload u : uploads(prefix)) {
        String name = u.key().substring(prefix.length());
        if (isValidName(name)
            && !names.contains(name)
            && (isAfter(u.initiated(), since) || isAfter(lastWrite(u), since))) {
          names.add(name);
        }
      }
    } catch (SdkException e) {
      throw failure("listing the uploads in progress in", toString(), e);
    }
    return List.copyOf(names);
  }

  private static boolean isAfter(Instant t, Instant since) {
    return t != null && t.isAfter(since);
  }

  /** The unfinished multipart uploads whose key starts with {@code keyPrefix}. */
  private Iterable<MultipartUpload> uploads(String keyPrefix) {
    return client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(keyPrefix)).uploads();
  }

  /**
   * When the upload was last written to: its start or its newest part; now if it ended (completed
   * or aborted) while its parts were read.
   */
  private Instant lastWrite(MultipartUpload u) {
    Instant last = u.initiated();
    try {
      for (Part p :
          client
              .listPartsPaginator(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()))
              .parts()) {
        last = later(last, p.lastModified());
      }
    } catch (NoSuchUploadException e) {
      last = later(last, Instant.now());
    }
    return last;
  }

  @Override
  public Instant lastModified(String name) {
    HeadObjectResponse h = head(key(name));
    return h == null ? null : h.lastModified();
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || (b != null && b.isAfter(a)) ? b : a;
  }

  @Override
  public void delete(String name) {
    String key = key(name);
    try {
      evenIfInterrupted(() -> client.deleteObject(b -> b.bucket(bucket).key(key)));
    } catch (NoSuchKeyException e) {
      // already gone
    } catch (SdkException e) {
      throw failure("deleting", location(name), e);
    }
  }

  @Override
  public String location(String name) {
    return uri(key(name));
  }

  private String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public String nameOf(String location) {
    if (location == null) {
      return null;
    }
    String name;
    if (location.startsWith("s3://")) {
      String root = "s3://" + bucket + "/" + prefix;
      if (!location.startsWith(root)) {
        return null;
      }
      name = location.substring(root.length());
    } else {
      name = location;
    }
    while (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    return isValidName(name) ? name : null;
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix;
  }

  /** A one-line storage error naming the object and the reason ({@link S3Errors}). */
  static BackyException failure(String doing, String where, SdkException e) {
    return S3Errors.failure(doing, where, e);
  }

  /** The upload of one object: collects a part, sends it when full, completes on commit. */
  private final class S3PendingWrite implements PendingWrite {
    private final String name;
    private final String key;
    private final List<CompletedPart> parts = new ArrayList<>();
    private long uploaded;
    private PartBuffer part;
    private String uploadId;
    private boolean done;
    private final String writeId = java.util.UUID.randomUUID().toString();

    S3PendingWrite(String name, String key) {
      this.name = name;
      this.key = key;
    }

    /** Closing it does not end the upload: only commit or abort do. */
    private final OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int n) throws IOException {
            append(b, off, n);
          }
        };

    @Override
    public OutputStream stream() {
      return out;
    }

    private long currentPartSize() {
      return partSize(partSize, parts.size() + 1);
    }

    private void append(byte[] b, int off, int n) throws IOException {
      if (done) {
        throw new IOException("upload of " + location(name) + " is already finished");
      }
      try {
        while (n > 0) {
          PartBuffer p = part();
          long room = currentPartSize() - p.size();
          if (room == 0) {
            sendPart();
            continue;
          }
          int take = (int) Math.min(room, n);
          p.write(b, off, take);
          off += take;
          n -= take;
        }
      } catch (IOException e) {
        abort();
        throw e;
      }
    }

    /** The buffer for the current part: in memory if the budget has room for it, else spooled. */
    private PartBuffer part() {
      if (part == null) {
        part = PartBuffer.forPart(currentPartSize(), memory);
      }
      return part;
    }

    /** Drops the part buffer (its memory or its temporary file). */
    private void release() {
      if (part != null) {
        try {
          part.close();
        } catch (IOException e) {
          LOG.warn("could not remove the temporary part of {}: {}", location(name), e.getMessage());
        }
        part = null;
      }
    }

    /** Sends the collected bytes as the next part, starting the multipart upload if needed. */
    private void sendPart() throws IOException {
      try {
        if (uploadId == null) {
          uploadId =
              client
                  .createMultipartUpload(
                      b ->
                          b.bucket(bucket)
                              .key(key)
                              .metadata(Map.of(WRITE_ID, writeId))
                              .overrideConfiguration(timeoutFor(0)))
                  .uploadId();
        }
        int partNumber = parts.size() + 1;
        if (partNumber > MAX_PARTS) {
          throw new BackyException(
              ErrorCode.STORAGE,
              "upload of " + location(name) + " needs more than 10,000 parts: raise part_size_mb");
        }
        UploadPartResponse r =
            client.uploadPart(
                b ->
                    b.bucket(bucket)
                        .key(key)
                        .uploadId(uploadId)
                        .partNumber(partNumber)
                        .overrideConfiguration(timeoutFor(part.size())),
                part.body());
        parts.add(
            CompletedPart.builder()
                .partNumber(partNumber)
                .eTag(r.eTag())
                .checksumCRC32(r.checksumCRC32())
                .checksumCRC32C(r.checksumCRC32C())
                .checksumCRC64NVME(r.checksumCRC64NVME())
                .checksumSHA1(r.checksumSHA1())
                .checksumSHA256(r.checksumSHA256())
                .build());
        uploaded += part.size();
        // the next part asks the budget again: what this one held goes back to all uploads
        release();
      } catch (SdkException e) {
        abort();
        throw failure("uploading", location(name), e);
      } catch (RuntimeException e) {
        abort();
        throw e;
      }
    }

    @Override
    public String commit() throws IOException {
      if (done) {
        throw new IOException("upload of " + location(name) + " is already finished");
      }
      try {
        if (uploadId == null) {
          client.putObject(
              b ->
                  b.bucket(bucket)
                      .key(key)
                      .ifNoneMatch(CREATE_ONLY)
                      .metadata(Map.of(WRITE_ID, writeId))
                      .overrideConfiguration(timeoutFor(part().size())),
              part().body());
        } else {
          if (part().size() > 0) {
            sendPart();
          }
          List<CompletedPart> all = List.copyOf(parts);
          client.completeMultipartUpload(
              b ->
                  b.bucket(bucket)
                      .key(key)
                      .uploadId(uploadId)
                      .ifNoneMatch(CREATE_ONLY)
                      .multipartUpload(m -> m.parts(all))
                      // the server assembles the parts: AWS may take minutes on a large object
                      .overrideConfiguration(timeoutFor(uploaded)));
        }
        done = true;
        release();
        return location(name);
      } catch (SdkException e) {
        // A reply was lost and the SDK's retry got 412, or every reply was lost and the SDK gave
        // up: the object may be stored all the same. If it is this upload's, the commit happened
        // (a failure here would roll the backup back and leave its sidecar listed)
        if (writtenByThisUpload()) {
          done = true;
          release();
          return location(name);
        }
        abort();
        if (e instanceof S3Exception s3 && s3.statusCode() == PRECONDITION_FAILED) {
          // another writer committed this name since create() looked (a backup of the same
          // database started in the same second): its object stays
          throw new FileAlreadyExistsException(location(name));
        }
        throw failure("uploading", location(name), e);
      } catch (IOException | RuntimeException e) {
        abort();
        throw e;
      }
    }

    /** Whether the object now under the key is the one this upload wrote. */
    private boolean writtenByThisUpload() {
      try {
        // bounded like the upload: the server may be the one that stopped answering it
        HeadObjectResponse h =
            client.headObject(b -> b.bucket(bucket).key(key).overrideConfiguration(timeoutFor(0)));
        return writeId.equals(h.metadata().get(WRITE_ID));
      } catch (RuntimeException e) {
        return false; // cannot tell: the commit failed
      }
    }

    @Override
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      release();
      if (uploadId != null) {
        try {
          evenIfInterrupted(
              () -> client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)));
        } catch (RuntimeException e) {
          // the server may be gone; an unfinished upload is never listed as an object, and a
          // bucket lifecycle rule (AbortIncompleteMultipartUpload) removes its parts
          LOG.warn(
              "could not abort the multipart upload of {}: {}", location(name), e.getMessage());
        }
      }
    }
  }

  /**
   * Runs a clean-up call (delete, abort) even on an interrupted thread: a stop request (SIGTERM)
   * fails a backup by interrupting the thread that writes it, and the SDK refuses to start a call
   * on an interrupted thread. The interrupt is kept for the caller.
   */
  private static void evenIfInterrupted(Runnable call) {
    boolean interrupted = Thread.interrupted();
    try {
      call.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
