package io.backydb.format;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The constants of the {@code .backy} byte layout and the version dispatch of its readers (see
 * {@code docs/format.md}). Every format version ever written keeps a reader here.
 */
public final class BackyFormat {

  /** 0x89 'B' 'A' 'C' 'K' 'Y' CR LF. */
  static final byte[] MAGIC = {(byte) 0x89, 'B', 'A', 'C', 'K', 'Y', '\r', '\n'};

  /** The format version this BackyDB writes. */
  public static final int VERSION = 1;

  /** Magic, u16 version, u32 header length. */
  public static final int PREAMBLE = MAGIC.length + 2 + 4;

  /** Largest header JSON a reader accepts. */
  public static final int MAX_HEADER_JSON = 1 << 20;

  /** 'B' 'A' 'C' 'K' 'Y' 'E' 'N' 'D': starts the trailer. */
  static final byte[] END_MARKER = {'B', 'A', 'C', 'K', 'Y', 'E', 'N', 'D'};

  /** Size of the integrity value in the trailer (HMAC-SHA256 or SHA-256). */
  public static final int INTEGRITY_VALUE_SIZE = 32;

  /** End marker, u64 payload length, integrity value. */
  public static final int TRAILER_SIZE = END_MARKER.length + 8 + INTEGRITY_VALUE_SIZE;

  private BackyFormat() {}

  /** Whether {@code start} (the first bytes of a file) begins with the .backy magic. */
  public static boolean hasMagic(byte[] start) {
    return start.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC);
  }

  /**
   * Reads a header from the start of {@code in} (leaving it at the first payload byte), whatever
   * format version wrote it; {@code where} names the file in errors.
   */
  public static BackyHeader readHeader(InputStream in, String where) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] preamble = new byte[PREAMBLE];
    try {
      data.readFully(preamble);
    } catch (EOFException e) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " is too short to be a .backy file (truncated?)");
    }
    if (!hasMagic(preamble)) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " is not a .backy file (bad magic bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(preamble, MAGIC.length, 6);
    int version = Short.toUnsignedInt(b.getShort());
    long jsonLength = Integer.toUnsignedLong(b.getInt());
    if (version > VERSION) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where
              + " was written by a newer BackyDB (format "
              + version
              + "); upgrade BackyDB to read it");
    }
    if (version == 0) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " has a damaged header (format version 0)");
    }
    // version 1 is the only version written so far
    if (jsonLength == 0 || jsonLength > MAX_HEADER_JSON) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where + " has a damaged header (header length " + jsonLength + ")");
    }
    byte[] json = new byte[(int) jsonLength];
    try {
      data.readFully(json);
    } catch (EOFException e) {
      throw new BackyException(ErrorCode.CORRUPT_BACKUP, where + " is truncated inside its header");
    }
    byte[] raw = new byte[PREAMBLE + json.length];
    System.arraycopy(preamble, 0, raw, 0, PREAMBLE);
    System.arraycopy(json, 0, raw, PREAMBLE, json.length);
    return BackyHeader.parseV1(raw, json, where);
  }
}
