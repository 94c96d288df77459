package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import io.backydb.format.BundleReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
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
            new GzipCompressorOutputStream(PayloadCodecs.keepOpen(out), gz), "UTF-8")) {
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
    TarArchiveInputStream tar =
        new TarArchiveInputStream(new GzipCompressorInputStream(payload), "UTF-8");
    return PayloadCodecs.closing(
        () -> {
          TarArchiveEntry e = tar.getNextEntry();
          while (e != null && !e.isFile()) {
            e = tar.getNextEntry();
          }
          if (e == null) {
            return null;
          }
          return new DumpInput.DumpFile(e.getName(), PayloadCodecs.keepOpen(tar));
        },
        tar);
  }
}
