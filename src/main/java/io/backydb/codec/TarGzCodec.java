package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import io.backydb.format.BundleReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * {@code tar}: a gzip-compressed tar (tar.gz) with one entry per file of the bundle. A tar entry
 * states its size before its data, so each file is first spooled to a temporary file, encrypted
 * with a throw-away key ({@link EncryptedSpool}) and deleted as soon as its entry is written: that
 * needs free temporary space as large as the largest uncompressed SQL file of the backup.
 */
final class TarGzCodec implements PayloadCodec {

  static final int DEFAULT_LEVEL = 6;

  @Override
  public String type() {
    return "tar";
  }

  @Override
  public Integer level(Integer configured) {
    int level = configured == null ? DEFAULT_LEVEL : configured;
    CompressionType.TAR.checkLevel(level);
    return level;
  }

  @Override
  public void encode(InputStream bundle, OutputStream out, Integer level) throws IOException {
    BundleReader files = new BundleReader(bundle);
    GzipParameters gz = new GzipParameters();
    gz.setCompressionLevel(level);
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(
            new GzipCompressorOutputStream(PayloadCodecs.keepOpen(out), gz),
            TarConstants.DEFAULT_RCDSIZE, // no padding after the end records: see decode
            "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      DumpInput.DumpFile f;
      while ((f = files.next()) != null) {
        try (EncryptedSpool spool = new EncryptedSpool()) {
          TarArchiveEntry entry = new TarArchiveEntry(f.name());
          entry.setSize(spool.write(f.content()));
          entry.setMode(0600);
          tar.putArchiveEntry(entry);
          spool.copyTo(tar);
          tar.closeArchiveEntry();
        } catch (EncryptedSpool.WriteFailed e) {
          // the line the user sees names the temporary folder, not this codec's thread: the
          // backup's own storage may well have room
          throw new BackyException(ErrorCode.STORAGE, e.getMessage(), e);
        }
      }
      tar.finish();
    }
  }

  @Override
  public DumpInput decode(InputStream payload) throws IOException {
    // a stream that supports mark: the gzip reader then rewinds its look-ahead and stops exactly at
    // the end of its member, where the payload must end too
    BufferedInputStream compressed = new BufferedInputStream(payload, 1 << 16);
    GzipCompressorInputStream gzip = new GzipCompressorInputStream(compressed);
    // the tar reader gets a stream that supports mark too, so that a second end-of-archive record
    // that is not one is put back rather than dropped; and its block is the writer's, one record
    // (512 bytes): with the reader's default (10240) whatever follows the end, up to a block
    // boundary, would be skipped unread
    InputStream tarStream = new BufferedInputStream(gzip, 1 << 16);
    TarArchiveInputStream tar =
        new TarArchiveInputStream(tarStream, TarConstants.DEFAULT_RCDSIZE, "UTF-8");
    boolean[] ended = {false};
    return PayloadCodecs.closing(
        () -> {
          TarArchiveEntry e = ended[0] ? null : tar.getNextEntry();
          while (e != null && !e.isFile()) {
            e = tar.getNextEntry();
          }
          if (e == null) {
            if (!ended[0]) {
              ended[0] = true;
              ArchiveEnd.nothingAfter("tar archive", tarStream, 0);
              ArchiveEnd.nothingAfter("gzip stream", compressed, 0);
            }
            return null;
          }
          return new DumpInput.DumpFile(e.getName(), PayloadCodecs.keepOpen(tar));
        },
        tar);
  }
}
