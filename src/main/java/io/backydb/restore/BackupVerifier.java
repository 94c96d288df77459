package io.backydb.restore;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.format.BackupMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads a whole backup back and checks it, without touching any database: every stored object is
 * read to its end, compared with the size and SHA-256 in the metadata sidecar (if there is one),
 * and every SQL file must end with the dump's completion marker, so a truncated file is caught even
 * without a sidecar.
 */
public final class BackupVerifier {

  static final byte[] COMPLETE_MARKER = "-- backy:complete\n".getBytes(StandardCharsets.US_ASCII);

  /** What verification found. */
  public record Report(String location, long bytesRead, List<String> problems) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  /** Verifies and returns a report; never throws for a damaged backup. */
  public Report verify(BackupSource source) throws IOException {
    List<String> problems = new ArrayList<>();
    long total = 0;
    BackupMetadata meta = source.metadata();
    for (String object : source.objects()) {
      MessageDigest sha = sha256();
      byte[] tail = new byte[COMPLETE_MARKER.length];
      int tailLen = 0;
      long bytes = 0;
      try (InputStream in = source.openObject(object)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
          sha.update(buf, 0, n);
          bytes += n;
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
      }
      total += bytes;
      String digest = HexFormat.of().formatHex(sha.digest());
      if (object.endsWith(".sql")
          && !(tailLen == tail.length && Arrays.equals(tail, COMPLETE_MARKER))) {
        problems.add(object + " is truncated: it does not end with the dump's completion marker");
      }
      if (meta != null && meta.files() != null) {
        for (BackupMetadata.StoredFile f : meta.files()) {
          if (f.name().equals(object)) {
            if (f.bytes() != bytes) {
              problems.add(object + " has " + bytes + " bytes, the metadata says " + f.bytes());
            } else if (!MessageDigest.isEqual(
                digest.getBytes(StandardCharsets.US_ASCII),
                f.sha256().getBytes(StandardCharsets.US_ASCII))) {
              problems.add(
                  object
                      + " does not match the SHA-256 recorded in its metadata (changed or corrupt)");
            }
          }
        }
      }
    }
    return new Report(source.location(), total, List.copyOf(problems));
  }

  /** Verifies and throws a one-line {@link ErrorCode#CORRUPT_BACKUP} error if anything is wrong. */
  public void requireIntact(BackupSource source) throws IOException {
    Report r = verify(source);
    if (!r.intact()) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "backup " + r.location() + " failed verification: " + String.join("; ", r.problems()));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
