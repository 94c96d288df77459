package io.backydb.codec;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.CompressionType;
import io.backydb.engine.DumpInput;
import io.backydb.format.BundleReader;
import io.backydb.stream.AsyncPipe;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The payload codecs by name, and the threaded compress stage built on them. */
public final class PayloadCodecs {

  private PayloadCodecs() {}

  public static PayloadCodec of(CompressionType type) {
    return switch (type) {
      case NONE -> new NoCompression();
      case ZSTD -> new ZstdCodec();
      case ZIP -> new ZipCodec();
      case TAR -> new TarGzCodec();
    };
  }

  /** The codec a header names; {@code where} names the file in the error for an unknown one. */
  public static PayloadCodec of(String type, String where) {
    for (CompressionType t : CompressionType.values()) {
      if (t.key().equals(type)) {
        return of(t);
      }
    }
    throw new BackyException(
        ErrorCode.CORRUPT_BACKUP,
        where + " is compressed with '" + type + "', which this BackyDB cannot read");
  }

  /**
   * Compresses {@code bundle} on a thread of its own; the result is the payload stream. Closing it
   * early stops the encoder, which closes {@code bundle}.
   */
  public static InputStream compress(PayloadCodec codec, Integer level, InputStream bundle) {
    return AsyncPipe.start(
        "backy-compress-" + codec.type(),
        out -> {
          try (InputStream in = bundle) {
            codec.encode(in, out, level);
          }
          return null;
        });
  }

  /**
   * The dump's files from a bundle stream; after the bundle's END record the stream must end too,
   * or the backup is damaged.
   */
  static DumpInput bundle(InputStream in) throws IOException {
    BundleReader reader = new BundleReader(in);
    return closing(
        () -> {
          DumpInput.DumpFile f = reader.next();
          if (f == null && in.read() >= 0) {
            throw new BackyException(
                ErrorCode.CORRUPT_BACKUP,
                "the backup has data after the end of its dump (damaged)");
          }
          return f;
        },
        in);
  }

  /**
   * {@code files}, whose {@link DumpInput#close()} closes {@code decoder}: a decoder holds native
   * memory (zstd) and the stream it reads from.
   */
  static DumpInput closing(DumpInput files, Closeable decoder) {
    return new DumpInput() {
      @Override
      public DumpFile next() throws IOException {
        return files.next();
      }

      @Override
      public void close() throws IOException {
        decoder.close();
      }
    };
  }

  /** {@code out}, except that closing it only flushes: the caller owns the stream. */
  static OutputStream keepOpen(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  /**
   * {@code in}, except that closing it does nothing: an archive entry must not close the archive.
   */
  static InputStream keepOpen(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {
        // the archive stays open for its next entry
      }
    };
  }
}
