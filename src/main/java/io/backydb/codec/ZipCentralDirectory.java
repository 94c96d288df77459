package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A zip payload's central directory against the entries the zip reader streamed. The streaming
 * reader takes each entry from its local header and data descriptor and skips the central
 * directory, which repeats their names, sizes and CRC-32: a changed byte there, in a backup without
 * integrity, encryption or sidecar, went unnoticed, and any other zip reader (the central directory
 * is what {@code unzip} believes) would read another archive than the one verified.
 *
 * <p>The payload is streamed (and may come from S3), so it is never held whole: the central
 * directory is read with commons-compress's {@link ZipFile} from the archive's last bytes, which
 * the reader keeps ({@link ArchiveEnd.Counted}). A backup's archive has one entry per file of its
 * bundle (at most one per feature, about 100 bytes each), so its central directory and end records
 * fit in far less than {@link #KEPT_TAIL}.
 */
final class ZipCentralDirectory {

  /**
   * How many of the archive's last bytes are kept: more than any central directory BackyDB writes.
   */
  static final int KEPT_TAIL = 1 << 16;

  private final List<ZipArchiveEntry> streamed = new ArrayList<>();

  /** An entry the streaming reader has read to its end (sizes and CRC-32 from its descriptor). */
  void streamed(ZipArchiveEntry entry) {
    streamed.add(entry);
  }

  /**
   * Reads the central directory from {@code tail}, the last bytes of an archive of {@code length}
   * bytes, and compares it with the streamed entries.
   *
   * @throws BackyException ({@link ErrorCode#CORRUPT_BACKUP}) if it cannot be read or differs
   */
  void matches(byte[] tail, long length) {
    List<ZipArchiveEntry> listed;
    try (ZipFile zip =
        ZipFile.builder()
            .setSeekableByteChannel(new TailChannel(tail, length))
            .setIgnoreLocalFileHeader(true) // the local headers are far behind, and were streamed
            .get()) {
      listed = Collections.list(zip.getEntries());
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw damaged(
          "its central directory cannot be read (" + m.lines().findFirst().orElse(m) + ")");
    }
    if (listed.size() != streamed.size()) {
      throw damaged(
          "its central directory lists "
              + listed.size()
              + (listed.size() == 1 ? " entry" : " entries")
              + ", the archive holds "
              + streamed.size());
    }
    for (int i = 0; i < listed.size(); i++) {
      String inDirectory = describe(listed.get(i));
      String inArchive = describe(streamed.get(i));
      if (!inDirectory.equals(inArchive)) {
        throw damaged(
            "its central directory lists " + inDirectory + ", the archive holds " + inArchive);
      }
    }
  }

  private static String describe(ZipArchiveEntry e) {
    return e.getName()
        + " ("
        + e.getSize()
        + " bytes, "
        + e.getCompressedSize()
        + " compressed, CRC-32 "
        + String.format("%08x", e.getCrc())
        + ")";
  }

  private static BackyException damaged(String what) {
    return new BackyException(
        ErrorCode.CORRUPT_BACKUP, "the backup's zip archive is damaged: " + what);
  }

  /**
   * An archive of which only the last bytes are known: reads there succeed, reads before them fail
   * (a central directory that would start there is not one BackyDB wrote).
   */
  private static final class TailChannel implements SeekableByteChannel {
    private final byte[] tail;
    private final long length;
    private long position;
    private boolean open = true;

    TailChannel(byte[] tail, long length) {
      this.tail = tail;
      this.length = length;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (position >= length) {
        return -1;
      }
      long start = length - tail.length;
      if (position < start) {
        throw new IOException(
            "it would start more than " + tail.length + " bytes before the archive's end");
      }
      int n = (int) Math.min(dst.remaining(), length - position);
      dst.put(tail, (int) (position - start), n);
      position += n;
      return n;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      position = newPosition;
      return this;
    }

    @Override
    public long size() {
      return length;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
