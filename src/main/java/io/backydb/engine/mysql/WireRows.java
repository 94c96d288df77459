package io.backydb.engine.mysql;

import com.mysql.cj.NativeSession;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.ConnectionImpl;
import com.mysql.cj.protocol.SocketConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

/**
 * The rows of one text-protocol SELECT, read straight off a Connector/J connection's socket: the
 * query is sent as a {@code COM_QUERY} packet and every row packet is read into one reused buffer,
 * where each value is found in place (a length-encoded string, or {@code 0xFB} for NULL).
 *
 * <p>Why: Connector/J builds a packet object, a row object and a new {@code byte[]} for every value
 * of every row; on the benchmark's 3-million-row table that took 1.15 CPU-s of a reader thread,
 * against 0.45 CPU-s here (same rows, same bytes), and its garbage on top. Connector/J still opens
 * the connection (handshake, authentication, TLS, session variables) and runs every other
 * statement; this class borrows the socket for one query at a time, and leaves the connection as
 * Connector/J expects it: each of its commands starts a new packet sequence, and a query read to
 * its end leaves nothing unread. {@link #open} returns null where that cannot hold (a compressed
 * protocol), and the caller reads through Connector/J instead.
 *
 * <p>The reader thread owns its connection: nothing else may use it while a query's rows are read.
 * The buffer grows to the query's longest row and goes with the cursor (Connector/J held such a row
 * too, and a copy of each of its values).
 *
 * <p>Protocol: <a href="https://mariadb.com/kb/en/result-set-packets/">MariaDB result set
 * packets</a>. A packet of {@code 0xFFFFFF} payload bytes is continued by the next one; a row that
 * begins with {@code 0xFE} is only possible in such a long packet (an 8-byte length), so a shorter
 * packet that begins with it ends the rows (EOF, or OK when the client deprecated EOF).
 */
final class WireRows implements RowCursor {

  private static final int COM_QUERY = 0x03;
  private static final int MAX_PAYLOAD = 0xFFFFFF;
  private static final int NULL_VALUE = 0xFB;
  private static final int ERR = 0xFF;
  private static final int OK = 0x00;
  private static final int EOF = 0xFE;

  private final SocketConnection socket;
  private final InputStream in;
  private int columns;
  private int[] offsets;
  private int[] lengths;
  private final byte[] header = new byte[4];
  private byte[] packet = new byte[1 << 16];
  private int packetLength;
  private int sequence;
  private boolean finished;
  private boolean broken;
  private int current;

  private WireRows(SocketConnection socket) throws IOException {
    this.socket = socket;
    this.in = socket.getMysqlInput();
  }

  /**
   * Sends {@code sql} on {@code c} and reads up to its first row, or returns null when {@code c} is
   * not a Connector/J connection this class can read from.
   *
   * @throws SQLException the server's error for the query, or a lost connection (SQLSTATE 08S01)
   */
  static WireRows open(Connection c, String sql) throws SQLException {
    if (!c.isWrapperFor(ConnectionImpl.class)) {
      return null;
    }
    if (c.isClosed()) {
      throw new SQLNonTransientConnectionException("the connection is closed", "08003");
    }
    NativeSession session = c.unwrap(ConnectionImpl.class).getSession();
    if (session.getPropertySet().getBooleanProperty(PropertyKey.useCompression).getValue()) {
      return null;
    }
    SocketConnection socket = session.getProtocol().getSocketConnection();
    boolean eofDeprecated = session.getProtocol().getServerSession().isEOFDeprecated();
    try {
      WireRows rows = new WireRows(socket);
      rows.sequence = send(socket.getMysqlOutput(), sql.getBytes(StandardCharsets.UTF_8));
      rows.readColumns(eofDeprecated);
      return rows;
    } catch (IOException e) {
      socket.forceClose();
      throw lost(e);
    }
  }

  /** Reads the answer's column count and column definitions. */
  private void readColumns(boolean eofDeprecated) throws IOException, SQLException {
    readPacket();
    int first = packet[0] & 0xff;
    if (first == ERR) {
      finished = true;
      throw error();
    }
    if (first == OK) {
      finished = true;
      throw new SQLException("the server answered a SELECT without a result set");
    }
    if (first == NULL_VALUE) {
      // a LOCAL INFILE request, never the answer to a SELECT: it would wait for a file
      broken = true;
      socket.forceClose();
      throw new SQLException("the server asked for a local file in answer to a SELECT", "08S01");
    }
    columns = (int) lengthAt(0);
    offsets = new int[columns];
    lengths = new int[columns];
    for (int i = 0; i < columns; i++) {
      readPacket(); // a column definition: the dump knows its columns already
    }
    if (!eofDeprecated) {
      readPacket();
    }
  }

  /** The number of columns of each row. */
  int columns() {
    return columns;
  }

  @Override
  public boolean next() throws SQLException {
    if (finished) {
      return false;
    }
    try {
      readPacket();
    } catch (IOException e) {
      broken = true;
      socket.forceClose();
      throw lost(e);
    }
    int first = packet[0] & 0xff;
    if (first == EOF && packetLength < MAX_PAYLOAD) {
      finished = true;
      return false;
    }
    if (first == ERR) {
      finished = true; // an error ends the result: the connection can run the next statement
      throw error();
    }
    int pos = 0;
    for (int i = 0; i < columns; i++) {
      if ((packet[pos] & 0xff) == NULL_VALUE) {
        lengths[i] = -1;
        pos++;
        continue;
      }
      long length = lengthAt(pos);
      pos += lengthSize(packet[pos] & 0xff);
      offsets[i] = pos;
      lengths[i] = (int) length;
      pos += (int) length;
    }
    if (pos != packetLength) {
      broken = true;
      socket.forceClose();
      throw new SQLException(
          "a row of " + packetLength + " bytes held " + pos + " bytes of values", "08S01");
    }
    return true;
  }

  @Override
  public boolean column(int index) {
    current = index;
    return lengths[index] >= 0;
  }

  @Override
  public byte[] array() {
    return packet;
  }

  @Override
  public int offset() {
    return offsets[current];
  }

  @Override
  public int length() {
    return lengths[current];
  }

  /**
   * Reads the rows left unread, as Connector/J does when a streamed result is closed early, so that
   * the connection can run its next statement (a rollback, say).
   */
  @Override
  public void close() throws SQLException {
    while (!broken && next()) {
      // drain
    }
  }

  /**
   * One COM_QUERY, split into packets of at most {@link #MAX_PAYLOAD} bytes.
   *
   * @return the number of packets sent, which is the sequence number of the answer's first
   */
  private static int send(OutputStream out, byte[] sql) throws IOException {
    int total = sql.length + 1;
    int pos = -1; // -1: the command byte
    int seq = 0;
    while (true) {
      int n = Math.min(MAX_PAYLOAD, total - (pos + 1));
      out.write(n & 0xff);
      out.write((n >> 8) & 0xff);
      out.write((n >> 16) & 0xff);
      out.write(seq++);
      int body = n;
      if (pos < 0) {
        out.write(COM_QUERY);
        body--;
        pos = 0;
      }
      out.write(sql, pos, body);
      pos += body;
      if (n < MAX_PAYLOAD) {
        break; // a payload of exactly MAX_PAYLOAD bytes is followed by an empty packet
      }
    }
    out.flush();
    return seq;
  }

  /** Reads one logical packet (joining continued ones) into {@link #packet}. */
  private void readPacket() throws IOException {
    packetLength = 0;
    int n;
    do {
      readFully(header, 0, 4);
      n = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
      int seq = header[3] & 0xff;
      if (seq != (sequence & 0xff)) {
        throw new IOException(
            "packet " + seq + " out of order (expected " + (sequence & 0xff) + ")");
      }
      sequence++;
      if (packetLength + n > packet.length) {
        byte[] bigger = new byte[Math.max(packet.length * 2, packetLength + n)];
        System.arraycopy(packet, 0, bigger, 0, packetLength);
        packet = bigger;
      }
      readFully(packet, packetLength, n);
      packetLength += n;
    } while (n == MAX_PAYLOAD);
    if (packetLength == 0) {
      throw new IOException("an empty packet");
    }
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int r = in.read(b, off, len);
      if (r < 0) {
        throw new java.io.EOFException("the server closed the connection");
      }
      off += r;
      len -= r;
    }
  }

  /** The length-encoded integer at {@code pos} (its first byte is not 0xFB, 0xFF). */
  private long lengthAt(int pos) {
    int h = packet[pos] & 0xff;
    if (h < 0xFB) {
      return h;
    }
    int size = lengthSize(h) - 1;
    long v = 0;
    for (int k = 0; k < size; k++) {
      v |= (long) (packet[pos + 1 + k] & 0xff) << (8 * k);
    }
    return v;
  }

  private static int lengthSize(int h) {
    return h < 0xFB ? 1 : h == 0xFC ? 3 : h == 0xFD ? 4 : 9;
  }

  /** The ERR packet in {@link #packet}: code, SQLSTATE (after '#'), message. */
  private SQLException error() {
    int code = (packet[1] & 0xff) | (packet[2] & 0xff) << 8;
    int pos = 3;
    String state = null;
    if (packetLength >= 9 && packet[3] == '#') {
      state = new String(packet, 4, 5, StandardCharsets.US_ASCII);
      pos = 9;
    }
    String message = new String(packet, pos, packetLength - pos, StandardCharsets.UTF_8);
    return new SQLException(message, state, code);
  }

  private static SQLException lost(IOException e) {
    return new SQLNonTransientConnectionException(
        "Communications link failure: " + e.getMessage(), "08S01", e);
  }
}
