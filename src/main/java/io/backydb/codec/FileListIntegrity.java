package io.backydb.codec;

import io.backydb.format.BackupMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

/**
 * The integrity value of a plain SQL backup's list of files: the HMAC (or SHA-256) of the backup id
 * and every stored file's name, size and SHA-256. Each file's own value proves its bytes; this one
 * proves the list itself, so that a file deleted together with its line in the metadata sidecar, or
 * a sidecar's list edited to match replaced files, is detected (see {@code docs/format.md},
 * "Integrity").
 *
 * <p>The input is length-prefixed (4-byte big-endian length, then UTF-8), files sorted by name, so
 * that no two lists encode alike whatever their names hold.
 */
public final class FileListIntegrity {

  private static final byte[] LABEL =
      "backy plain sql file list v1".getBytes(StandardCharsets.US_ASCII);

  private FileListIntegrity() {}

  /** The value of {@code files} of backup {@code backupId} under {@code key}. */
  public static byte[] of(
      IntegrityKey key, String backupId, List<BackupMetadata.StoredFile> files) {
    IntegrityDigest d = key.newDigest();
    field(d, LABEL);
    field(d, backupId);
    for (BackupMetadata.StoredFile f :
        files.stream().sorted(Comparator.comparing(BackupMetadata.StoredFile::name)).toList()) {
      field(d, f.name());
      field(d, Long.toString(f.bytes()));
      field(d, String.valueOf(f.sha256()));
    }
    return d.finish();
  }

  private static void field(IntegrityDigest d, String s) {
    field(d, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void field(IntegrityDigest d, byte[] b) {
    d.update(ByteBuffer.allocate(4).putInt(b.length).array(), 0, 4);
    d.update(b, 0, b.length);
  }
}
