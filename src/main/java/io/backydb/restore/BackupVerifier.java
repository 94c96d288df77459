package io.backydb.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.FileListIntegrity;
import io.backydb.codec.IntegrityDigest;
import io.backydb.codec.IntegrityKey;
import io.backydb.codec.IntegrityKeys;
import io.backydb.config.CompressionType;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.DumpInput;
import io.backydb.engine.DumpScanner;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyHeader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Reads a whole backup back and checks it, without touching any database (see {@code
 * docs/format.md}, "Verification and restore").
 *
 * <ul>
 *   <li>A {@code .backy} file: header, INTEGRITY_PASSWORD (for {@code hmac}), the payload decrypted
 *       and decompressed down to the bundle's end, the trailer (end marker, length, integrity value
 *       in constant time), and the sidecar (same backup id, size, SHA-256, value).
 *   <li>Plain SQL: every file ends with the dump's completion marker, is listed in the sidecar with
 *       its size and SHA-256, and matches its per-file HMAC or checksum.
 *   <li>Either way, what the sidecar says the dump holds (features, tables, sizes, name) against
 *       the dump itself, read through a {@link DumpScanner} ({@link SidecarContents}); or, with a
 *       scanner of the sections the dump's files begin with, whether it holds table definitions.
 * </ul>
 *
 * <p>A verified {@code .backy} source keeps the integrity key, so the restore's apply pass checks
 * the trailer again.
 */
public final class BackupVerifier {

  static final byte[] COMPLETE_MARKER = "-- backy:complete\n".getBytes(StandardCharsets.US_ASCII);

  private final Environment environment;
  private final boolean hmacRequired;
  private final Supplier<DumpScanner> scanners;

  /**
   * @param environment where INTEGRITY_PASSWORD comes from
   * @param hmacRequired refuse a backup that carries no HMAC (see {@link
   *     RestoreConfig#hmacRequiredByDefault})
   * @param scanners readers of what a dump holds ({@link
   *     io.backydb.engine.DatabaseEngine#newDumpScanner()}): a backup with a sidecar is read
   *     through one, whose findings the sidecar's features and tables must match
   */
  public BackupVerifier(
      Environment environment, boolean hmacRequired, Supplier<DumpScanner> scanners) {
    this.environment = environment;
    this.hmacRequired = hmacRequired;
    this.scanners = scanners;
  }

  /**
   * A verifier that compares the sidecar's account of the dump ({@link SidecarContents}) only with
   * a scanner it is given ({@link #refuseDamaged(BackupSource, DumpScanner)}), as a restore does,
   * whose apply checks the target against what the scanner read.
   */
  public BackupVerifier(Environment environment, boolean hmacRequired) {
    this(environment, hmacRequired, () -> null);
  }

  private static String noHmac(String where, String has) {
    return where
        + " carries no HMAC ("
        + has
        + "), and one is required (require_hmac, on whenever INTEGRITY_PASSWORD is set): it"
        + " cannot prove that it was made with the password and not changed since;"
        + " require_hmac: false in the restore config (verify --no-require-hmac) accepts it";
  }

  /**
   * What verification found.
   *
   * @param problems what is wrong with the backup; empty if nothing was found
   * @param nothingToCompare null if the backup's content was checked against a record of it (its
   *     sidecar's SHA-256, its HMAC or checksum, its encryption's authentication, its codec's
   *     checksums); else why it could not be (a plain {@code .sql} without its sidecar: only its
   *     completion marker was checked)
   */
  public record Report(
      String location, long bytesRead, List<String> problems, String nothingToCompare) {

    Report(String location, long bytesRead, List<String> problems) {
      this(location, bytesRead, problems, null);
    }

    /** Nothing is wrong, and the content matched a record of it. */
    public boolean intact() {
      return problems.isEmpty() && nothingToCompare == null;
    }

    /** Something is wrong with the backup. */
    public boolean damaged() {
      return !problems.isEmpty();
    }

    /** The one-line error a backup that is not intact stops a restore (or verify) with. */
    public BackyException failure() {
      return new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "backup " + location + " failed verification: " + String.join("; ", problems));
    }
  }

  /**
   * Verifies and returns a report; never throws for a damaged backup.
   *
   * @throws BackyException ({@link ErrorCode#CONFIG}) if INTEGRITY_PASSWORD, which the backup's
   *     HMAC needs, is not set or empty: nothing was checked
   */
  public Report verify(BackupSource source) throws IOException {
    return verify(source, null);
  }

  /**
   * Verifies and returns a report, feeding the dump's files, as they are read, to {@code scanner}
   * (if not null). A dump the scanner cannot read is a problem of the report only when nothing else
   * is: a damaged backup is reported as damaged, not as unreadable SQL.
   */
  public Report verify(BackupSource source, DumpScanner scanner) throws IOException {
    // what the sidecar says the dump holds is compared with the dump itself
    Scan scan = new Scan(scanner == null && source.metadata() != null ? scanners.get() : scanner);
    Report r =
        BackupMetadata.LAYOUT_BACKY.equals(source.layout())
            ? verifyBacky(source, scan)
            : verifySql(source, scan);
    if (!r.damaged() && scan.failure != null) {
      return new Report(r.location(), r.bytesRead(), List.of(scan.failure));
    }
    return r;
  }

  /**
   * Verifies and throws a one-line {@link ErrorCode#CORRUPT_BACKUP} error if anything is wrong. A
   * backup with nothing to compare its content against passes (a user's own {@code .sql}, or a
   * BackyDB one whose sidecar is gone, is still restored): what could be checked was.
   *
   * @return the report, for a caller to tell whether the content was compared
   */
  public Report refuseDamaged(BackupSource source) throws IOException {
    return refuseDamaged(source, null);
  }

  /** As {@link #refuseDamaged(BackupSource)}, feeding the dump to {@code scanner} on the way. */
  public Report refuseDamaged(BackupSource source, DumpScanner scanner) throws IOException {
    Report r = verify(source, scanner);
    if (r.damaged()) {
      throw r.failure();
    }
    return r;
  }

  private Report verifyBacky(BackupSource source, Scan scan) throws IOException {
    List<String> problems = new ArrayList<>();
    String object = source.objects().get(0);
    String where = source.storage().location(object);
    BackyHeader header = source.header();
    BackupMetadata meta = source.metadata();
    if (meta != null && !header.backupId().equals(meta.id())) {
      problems.add(
          "its metadata sidecar belongs to another backup (id "
              + meta.id()
              + ", the file is backup "
              + header.backupId()
              + "): the sidecar was swapped or copied");
    } else if (meta != null) {
      sidecarAgrees(header, meta, problems);
    }
    if (hmacRequired && (header.integrity() == null || !header.integrity().isHmac())) {
      problems.add(
          noHmac(
              where,
              header.integrity() == null
                  ? "no integrity"
                  : "integrity " + header.integrity().type()));
      return new Report(source.location(), 0, List.copyOf(problems));
    }
    IntegrityKey key = null;
    if (header.integrity() != null) {
      try {
        key = IntegrityKeys.forExisting(header.integrity(), environment, where);
      } catch (BackyException e) {
        rethrowIfConfig(e);
        problems.add(e.getMessage());
        return new Report(source.location(), 0, List.copyOf(problems));
      }
    }
    source.integrityKey(key);
    if (header.encryption() != null && !source.hasPayloadDecoders()) {
      problems.add(
          where
              + " is encrypted ("
              + header.encryption().path("suite").asText("unknown suite")
              + ") and no decryption was set up to read it");
      return new Report(source.location(), 0, List.copyOf(problems));
    }
    MessageDigest sha = sha256();
    Counting raw = new Counting(source.openObject(object), sha, null);
    BackupSource.OpenBacky open;
    try {
      open = source.openBacky(raw);
    } catch (BackyException e) {
      raw.close();
      problems.add(e.getMessage());
      return new Report(source.location(), raw.count, List.copyOf(problems));
    } catch (IOException | RuntimeException e) {
      // a decoder that reads its first bytes at once (zstd's frame header, say) fails here
      raw.close();
      problems.add(where + " is damaged: its payload cannot be decompressed (" + oneLine(e) + ")");
      return new Report(source.location(), raw.count, List.copyOf(problems));
    }
    try (open) {
      var container = open.container();
      String decodeProblem = null;
      long dumpBytes = 0;
      try {
        dumpBytes = drain(open.dump(), scan);
      } catch (InterruptedIOException e) {
        throw e; // a stop request, not damage
      } catch (BackyException e) {
        decodeProblem = e.getMessage();
      } catch (IOException | RuntimeException e) {
        decodeProblem =
            where + " is damaged: its payload cannot be decompressed (" + oneLine(e) + ")";
      }
      try {
        container.drain();
      } catch (BackyException e) {
        // kept in container.problem()
      }
      BackyException trailer = container.problem();
      if (trailer != null) {
        problems.add(trailer.getMessage());
      }
      if (decodeProblem != null
          && (trailer == null || !decodeProblem.contains(trailer.getMessage()))) {
        problems.add(decodeProblem);
      }
      if (meta != null) {
        checkSidecar(meta, inSidecar(source, object), raw.count, sha.digest(), null, problems);
        if (trailer == null && decodeProblem == null) {
          scan.compare(meta, dumpBytes, raw.count, header.created(), problems);
        }
        byte[] stored = container.storedValue();
        if (trailer == null
            && key != null
            && stored != null
            && meta.integrity() != null
            && meta.integrity().value() != null
            && !IntegrityKey.matches(stored, parseHex(meta.integrity().value(), stored.length))) {
          problems.add(
              "its metadata sidecar records a different integrity value than the file (the sidecar"
                  + " belongs to another backup?)");
        }
      }
    }
    // the codecs check their own output too (zstd's frame checksum, zip's and gzip's CRC-32), and
    // encryption authenticates every segment
    boolean compared =
        meta != null
            || key != null
            || header.encryption() != null
            || !CompressionType.NONE.key().equals(header.compression().type());
    return new Report(
        source.location(),
        raw.count,
        List.copyOf(problems),
        compared
            ? null
            : "no metadata sidecar "
                + source.storage().location(BackupMetadata.sidecarName(source.name()))
                + ", and the file has no integrity value, encryption or compression");
  }

  /**
   * The sidecar of a {@code .backy} file says what its header says: layout, compression, integrity
   * and encryption. The header rules the reading, but {@code list} and retention believe the
   * sidecar, and one that disagrees was changed (or belongs to another backup of the same id).
   */
  private static void sidecarAgrees(
      BackyHeader header, BackupMetadata meta, List<String> problems) {
    if (!BackupMetadata.LAYOUT_BACKY.equals(meta.layout())) {
      problems.add(
          "its metadata sidecar describes a backup of layout "
              + meta.layout()
              + ", not this one (the sidecar belongs to another backup)");
      return;
    }
    BackyHeader.Compression c = header.compression();
    BackupMetadata.Compression mc = meta.compression();
    if (mc == null || !c.type().equals(mc.type()) || !Objects.equals(c.level(), mc.level())) {
      problems.add(
          disagrees(
              "compression",
              mc == null ? "none recorded" : mc.type() + " level " + mc.level(),
              c.type() + " level " + c.level()));
    }
    BackyHeader.Integrity i = header.integrity();
    BackupMetadata.Integrity mi = meta.integrity();
    if (i == null ? mi != null : mi == null || !i.equals(mi.params())) {
      problems.add(
          disagrees(
              "integrity",
              mi == null ? "none" : mi.type() + " " + mi.algorithm(),
              i == null ? "none" : i.type() + " " + i.algorithm()));
    }
    JsonNode e = header.encryption();
    BackupMetadata.Encryption me = meta.encryption();
    List<String> keyIds = new ArrayList<>();
    if (e != null) {
      e.path(BackyHeader.WRAPPED_KEYS).forEach(k -> keyIds.add(k.path("key_id").asText()));
    }
    if (e == null
        ? me != null
        : me == null
            || !e.path("suite").asText().equals(me.suite())
            || !e.path("provider").asText().equals(me.provider())
            || !keyIds.contains(me.keyId())) {
      problems.add(
          disagrees(
              "encryption",
              me == null ? "none" : me.suite() + " " + me.provider() + " key " + me.keyId(),
              e == null
                  ? "none"
                  : e.path("suite").asText()
                      + " "
                      + e.path("provider").asText()
                      + " key "
                      + String.join(", ", keyIds)));
    }
  }

  private static String disagrees(String what, String sidecar, String header) {
    return disagrees(what, sidecar, "the file's header says", header);
  }

  /** "its metadata sidecar says WHAT SIDECAR, FILE_SAYS ACTUAL (the sidecar was changed)". */
  static String disagrees(String what, String sidecar, String fileSays, String actual) {
    return "its metadata sidecar says "
        + what
        + " "
        + sidecar
        + ", "
        + fileSays
        + " "
        + actual
        + " (the sidecar was changed)";
  }

  /**
   * A missing or empty INTEGRITY_PASSWORD says nothing about the backup: the check cannot start, a
   * configuration error (exit 2) as for a backup, not a failed verification (exit 1).
   */
  private static void rethrowIfConfig(BackyException e) {
    if (e.code() == ErrorCode.CONFIG) {
      throw e;
    }
  }

  /**
   * A stop request (SIGTERM, see {@code cli.StopRequest}) interrupts the reading thread, and reads
   * from a stream do not notice: stop here, so that a stopped restore never reaches the database.
   */
  private static void checkStop() throws InterruptedIOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException(
          "stopped while verifying the backup, before anything was applied");
    }
  }

  /** Reads the dump's files to their ends; returns their bytes. */
  private static long drain(DumpInput dump, Scan scan) throws IOException {
    byte[] buf = new byte[1 << 16];
    long bytes = 0;
    DumpInput.DumpFile f;
    while ((f = dump.next()) != null) {
      scan.start(f.name());
      try (InputStream in = f.content()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          // read it all: decompression errors show only on the way
          checkStop();
          scan.write(buf, n);
          bytes += n;
        }
      }
      scan.end();
    }
    return bytes;
  }

  /**
   * The dump's files on their way to a {@link DumpScanner}, if there is one; the first failure of
   * the scanner is kept (and the scanner no longer fed) rather than thrown in the middle of a read.
   */
  private static final class Scan {
    private final DumpScanner scanner;
    private OutputStream file;
    private String name;
    String failure;

    Scan(DumpScanner scanner) {
      this.scanner = scanner;
    }

    void start(String fileName) {
      if (scanner == null || failure != null) {
        return;
      }
      name = fileName;
      try {
        file = scanner.file(fileName);
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    void write(byte[] b, int n) {
      if (file == null || n <= 0) {
        return;
      }
      try {
        file.write(b, 0, n);
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    void end() {
      if (file == null) {
        return;
      }
      try {
        file.close();
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
      file = null;
    }

    /** Whether the whole dump went through the scanner, whose contents then tell what it holds. */
    boolean readWhole() {
      return scanner != null && failure == null;
    }

    /**
     * Compares what the scanner read with the sidecar's account of it ({@link SidecarContents}).
     */
    void compare(
        BackupMetadata meta,
        long dumpBytes,
        long storedBytes,
        Instant created,
        List<String> problems) {
      if (readWhole()) {
        SidecarContents.check(meta, scanner.contents(), dumpBytes, storedBytes, created, problems);
      }
    }

    private void failed(Exception e) {
      failure = name + " cannot be read as a dump (" + oneLine(e) + ")";
      file = null;
    }
  }

  private Report verifySql(BackupSource source, Scan scan) throws IOException {
    List<String> problems = new ArrayList<>();
    long total = 0;
    BackupMetadata meta = source.metadata();
    if (meta != null && !source.layout().equals(meta.layout())) {
      problems.add(
          "its metadata sidecar describes a backup of layout "
              + meta.layout()
              + ", not this one (the sidecar belongs to another backup)");
      meta = null;
    } else if (meta != null
        && meta.compression() != null
        && !CompressionType.NONE.key().equals(meta.compression().type())) {
      problems.add(
          disagrees("compression", meta.compression().type(), "the backup is", "none (plain SQL)"));
    }
    if (hmacRequired
        && (meta == null || meta.integrity() == null || !meta.integrity().params().isHmac())) {
      problems.add(
          noHmac(
              source.location(),
              meta == null
                  ? "no metadata sidecar, which holds a plain SQL backup's HMACs"
                  : meta.integrity() == null
                      ? "no integrity"
                      : "integrity " + meta.integrity().type()));
      return new Report(source.location(), 0, List.copyOf(problems));
    }
    IntegrityKey key = null;
    if (meta != null && meta.integrity() != null) {
      try {
        key = IntegrityKeys.forExisting(meta.integrity().params(), environment, source.location());
        source.integrityKey(key); // kept where the job's end destroys it
      } catch (BackyException e) {
        rethrowIfConfig(e);
        problems.add(e.getMessage());
      }
    }
    if (meta != null) {
      checkFileList(
          meta, source.objects().stream().map(o -> inSidecar(source, o)).toList(), key, problems);
    }
    for (String object : source.objects()) {
      MessageDigest sha = sha256();
      IntegrityDigest value = key == null ? null : key.newDigest();
      byte[] tail = new byte[COMPLETE_MARKER.length];
      int tailLen = 0;
      long bytes;
      scan.start(object.substring(object.lastIndexOf('/') + 1));
      try (Counting in = new Counting(source.openObject(object), sha, value)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
          checkStop();
          scan.write(buf, n);
          // keep the last bytes seen, to check the completion marker
          if (n >= tail.length) {
            System.arraycopy(buf, n - tail.length, tail, 0, tail.length);
            tailLen = tail.length;
          } else {
            int keep = Math.min(tailLen, tail.length - n);
            System.arraycopy(tail, tailLen - keep, tail, 0, keep);
            System.arraycopy(buf, 0, tail, keep, n);
            tailLen = keep + n;
          }
        }
        bytes = in.count;
      }
      scan.end();
      total += bytes;
      if (object.endsWith(".sql")
          && !(tailLen == tail.length && Arrays.equals(tail, COMPLETE_MARKER))) {
        problems.add(object + " is truncated: it does not end with the dump's completion marker");
      }
      if (meta != null) {
        checkSidecar(
            meta,
            inSidecar(source, object),
            bytes,
            sha.digest(),
            value == null ? null : value.finish(),
            problems);
      }
    }
    if (meta != null && problems.isEmpty()) {
      // plain SQL is stored as dumped: its stored bytes are its dump's
      scan.compare(meta, total, total, null, problems);
    }
    return new Report(
        source.location(),
        total,
        List.copyOf(problems),
        meta != null
            ? null
            : "no metadata sidecar "
                + source.storage().location(BackupMetadata.sidecarName(source.name()))
                + ", which holds a plain SQL backup's sizes, SHA-256 and HMAC");
  }

  /**
   * Every file the sidecar lists is there, and the list is the one the backup wrote: its integrity
   * value covers the backup id and every file's name, size and SHA-256 ({@link FileListIntegrity}),
   * whose bytes the per-file checks then compare.
   */
  private static void checkFileList(
      BackupMetadata meta, List<String> present, IntegrityKey key, List<String> problems) {
    List<BackupMetadata.StoredFile> listed = meta.files() == null ? List.of() : meta.files();
    for (BackupMetadata.StoredFile f : listed) {
      if (!present.contains(f.name())) {
        problems.add(f.name() + " is missing: its metadata lists it, the storage does not have it");
      }
    }
    if (key == null) {
      return;
    }
    String value = meta.integrity().value();
    if (value == null) {
      problems.add(
          "its metadata has no "
              + meta.integrity().algorithm()
              + " over its list of files (removed, or written by a BackyDB before 2026-12-07),"
              + " so a file deleted with its entry could not be told");
    } else {
      byte[] expected = FileListIntegrity.of(key, meta.id(), listed);
      if (!IntegrityKey.matches(parseHex(value, expected.length), expected)) {
        problems.add(
            "its metadata's list of files does not match its "
                + meta.integrity().algorithm()
                + " (the list was changed)");
      }
    }
  }

  /**
   * The name the sidecar gives {@code object}: relative to the sidecar's own folder, where the
   * backup was written (a copy in {@code archive/} lists {@code X.sql}, not {@code archive/X.sql}).
   */
  private static String inSidecar(BackupSource source, String object) {
    String folder = source.name().substring(0, source.name().lastIndexOf('/') + 1);
    return object.startsWith(folder) ? object.substring(folder.length()) : object;
  }

  /** Compares one stored object with its entry in the sidecar. */
  private static void checkSidecar(
      BackupMetadata meta,
      String object,
      long bytes,
      byte[] sha,
      byte[] integrity,
      List<String> problems) {
    BackupMetadata.StoredFile f =
        meta.files() == null
            ? null
            : meta.files().stream().filter(x -> x.name().equals(object)).findFirst().orElse(null);
    if (f == null
        && BackupMetadata.LAYOUT_BACKY.equals(meta.layout())
        && meta.files() != null
        && meta.files().size() == 1) {
      // a renamed .backy file: its identity is the backup id, checked against its header
      f = meta.files().get(0);
    }
    if (f == null) {
      problems.add(
          object
              + " is not listed in its metadata sidecar (the sidecar belongs to another backup?)");
      return;
    }
    if (f.bytes() != bytes) {
      problems.add(object + " has " + bytes + " bytes, the metadata says " + f.bytes());
    } else if (f.sha256() == null || !MessageDigest.isEqual(sha, parseHex(f.sha256(), 32))) {
      problems.add(
          object + " does not match the SHA-256 recorded in its metadata (changed or corrupt)");
    }
    if (integrity != null) {
      if (f.integrity() == null) {
        problems.add(object + " has no integrity value in its metadata");
      } else if (!IntegrityKey.matches(parseHex(f.integrity(), integrity.length), integrity)) {
        problems.add(
            object
                + " failed its integrity check: the "
                + meta.integrity().algorithm()
                + " recorded in the metadata does not match (the file was changed or damaged)");
      }
    }
  }

  private static byte[] parseHex(String hex, int size) {
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return new byte[size];
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Counts and digests what is read through it. */
  private static final class Counting extends FilterInputStream {
    private final MessageDigest sha;
    private final IntegrityDigest value;
    long count;

    Counting(InputStream in, MessageDigest sha, IntegrityDigest value) {
      super(in);
      this.sha = sha;
      this.value = value;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sha.update(b, off, n);
        if (value != null) {
          value.update(b, off, n);
        }
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      int r = read(new byte[(int) Math.max(0, Math.min(n, 1 << 16))]);
      return Math.max(r, 0);
    }
  }
}
