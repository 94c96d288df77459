package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import io.backydb.format.BundleReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * {@code zip}: a zip archive with one deflated entry per file of the bundle, written to a
 * non-seekable stream: with data descriptors, and Zip64 extra fields on every entry (the sizes are
 * unknown up front, and only so may an entry pass 4 GB).
 */
final class ZipCodec implements PayloadCodec {

  static final int DEFAULT_LEVEL = 6;

  @Override
  public String type() {
    return "zip";
  }

  @Override
  public Integer level(Integer configured) {
    int level = configured == null ? DEFAULT_LEVEL : configured;
    CompressionType.ZIP.checkLevel(level);
    return level;
  }

  @Override
  public void encode(InputStream bundle, OutputStream out, Integer level) throws IOException {
    BundleReader files = new BundleReader(bundle);
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(PayloadCodecs.keepOpen(out))) {
      zip.setLevel(level);
      zip.setMethod(ZipArchiveOutputStream.DEFLATED);
      // sizes are unknown up front on a stream: only Always lets an entry pass 4 GB
      zip.setUseZip64(Zip64Mode.Always);
      DumpInput.DumpFile f;
      while ((f = files.next()) != null) {
        ZipArchiveEntry entry = new ZipArchiveEntry(f.name());
        entry.setMethod(ZipArchiveEntry.DEFLATED);
        zip.putArchiveEntry(entry);
        f.content().transferTo(zip);
        zip.closeArchiveEntry();
      }
      zip.finish();
    }
  }

  @Override
  public DumpInput decode(InputStream payload) {
    // stored (uncompressed) entries with a data descriptor are refused: commons-compress would hold
    // such an entry whole in memory before returning a byte, and BackyDB writes only DEFLATED ones
    ArchiveEnd.Counted counted = new ArchiveEnd.Counted(payload, ZipCentralDirectory.KEPT_TAIL);
    // the streaming reader skips the central directory: compared with the entries at the end
    ZipCentralDirectory directory = new ZipCentralDirectory();
    ZipArchiveInputStream zip = new ZipArchiveInputStream(counted, "UTF-8", true, false);
    boolean[] ended = {false};
    // commons-compress does not compare an entry's content with its CRC-32: without integrity,
    // encryption or the sidecar a flipped bit of the deflated data went unnoticed
    ZipArchiveEntry[] previous = {null};
    CheckedInputStream[] content = {null};
    return PayloadCodecs.closing(
        () -> {
          if (content[0] != null) {
            content[0].transferTo(OutputStream.nullOutputStream());
          }
          ZipArchiveEntry e = ended[0] ? null : zip.getNextEntry();
          if (previous[0] != null) {
            // its data descriptor, read by getNextEntry, holds its CRC-32
            crcMatches(previous[0], content[0].getChecksum().getValue());
            directory.streamed(previous[0]);
            previous[0] = null;
            content[0] = null;
          }
          if (e == null) {
            if (!ended[0]) {
              ended[0] = true;
              // the reader took its entries' bytes and its end record (getBytesRead), and may have
              // read further ahead into its own buffer
              ArchiveEnd.nothingAfter("zip archive", counted, counted.count() - zip.getBytesRead());
              if (!counted.endsWithZipEndRecord()) {
                throw new BackyException(
                    ErrorCode.CORRUPT_BACKUP,
                    "the backup's zip archive is truncated or damaged: it does not end with its end"
                        + " of central directory record");
              }
              directory.matches(counted.tail(), counted.count());
            }
            return null;
          }
          if (!zip.canReadEntryData(e)) {
            throw new BackyException(
                ErrorCode.CORRUPT_BACKUP, "zip entry " + e.getName() + " cannot be read");
          }
          previous[0] = e;
          content[0] = new CheckedInputStream(PayloadCodecs.keepOpen(zip), new CRC32());
          return new DumpInput.DumpFile(e.getName(), content[0]);
        },
        zip);
  }

  private static void crcMatches(ZipArchiveEntry entry, long read) {
    if (entry.getCrc() != read) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "zip entry " + entry.getName() + " does not match its CRC-32 (the backup is damaged)");
    }
  }
}
