package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.DatabaseConfig;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens JDBC connections (MySQL Connector/J) to the configured server. The password travels in a
 * {@link Properties} object, never in the URL, so it cannot appear in a logged URL or an error.
 */
public final class MySqlConnections {

  /** How long a connection attempt waits for the server's first answer. */
  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** A folder that does not exist: Connector/J sends no file from it (see openRaw(true)). */
  private static final java.nio.file.Path NO_FILES =
      java.nio.file.Path.of(
          System.getProperty("java.io.tmpdir"),
          "backydb-sends-no-files-" + java.util.UUID.randomUUID());

  private final DatabaseConfig config;
  private final String password;
  private final DatabaseTls tls;

  /**
   * Connections as {@code config} says; its {@code tls_ca} file is read now.
   *
   * @throws BackyException ({@link ErrorCode#CONFIG}) if {@code tls_ca} cannot be used
   */
  public MySqlConnections(DatabaseConfig config, String password) {
    this.config = config;
    this.password = password == null ? "" : password;
    this.tls = DatabaseTls.of(config);
  }

  /**
   * Checks what {@code config}'s connections need beyond the config itself, connecting nothing: the
   * {@code tls_ca} file is read.
   *
   * @throws BackyException ({@link ErrorCode#CONFIG}) if {@code tls_ca} cannot be used
   */
  public static void check(DatabaseConfig config) {
    DatabaseTls.of(config);
  }

  public DatabaseConfig config() {
    return config;
  }

  /** Where the server is, for messages: {@code user@host:port}. */
  public String describe() {
    return config.user() + "@" + config.host() + ":" + config.port();
  }

  /** A connection with no default database. */
  public Connection open() {
    return open(false, false);
  }

  /**
   * A connection that sends SQL text byte for byte: Java strings go out as ISO-8859-1 (one byte per
   * char) while the session reads utf8mb4. A restore reads the dump as ISO-8859-1 too, so each byte
   * of the dump reaches the server unchanged, UTF-8 text and raw binary literals alike. Results
   * still come back as UTF-8.
   */
  public Connection openRaw() {
    return openRaw(false);
  }

  /**
   * {@link #openRaw()}, able to send rows with {@code LOAD DATA LOCAL INFILE} if {@code localRows}
   * (see {@link LocalRowsLoader}). Connector/J offers that to the server only when LOCAL is allowed
   * at connection time; it is allowed here for a folder that does not exist, so that until the
   * loader takes over, a server that asks for a file gets none.
   */
  Connection openRaw(boolean localRows) {
    Connection c = open(true, localRows);
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("SET NAMES utf8mb4");
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the connection is being given up anyway
      }
      throw new BackyException(
          ErrorCode.DATABASE,
          "cannot set up a connection to " + describe() + ": " + firstLine(e),
          e);
    }
    return c;
  }

  private Connection open(boolean raw, boolean localRows) {
    String url = "jdbc:mysql://" + hostPart() + ":" + config.port() + "/";
    Properties p = new Properties();
    p.setProperty("user", config.user());
    p.setProperty("password", password);
    // the dump moves bytes in utf8mb4 both ways; the server converts other column charsets
    // losslessly
    if (raw) {
      p.setProperty("characterEncoding", "ISO-8859-1");
      p.setProperty("passwordCharacterEncoding", "UTF-8");
    } else {
      p.setProperty("characterEncoding", "UTF-8");
      p.setProperty("connectionCollation", "utf8mb4_general_ci");
    }
    // without this Connector/J may ask for results in each column's own charset (latin1 bytes, say)
    p.setProperty("characterSetResults", "UTF-8");
    p.setProperty("allowPublicKeyRetrieval", "true");
    p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS * 1000));
    p.setProperty("tcpKeepAlive", "true");
    // values are read as the server's own text (getBytes); nothing may be converted on the way
    p.setProperty("zeroDateTimeBehavior", "CONVERT_TO_NULL");
    p.setProperty("useCursorFetch", "false");
    p.setProperty("useServerPrepStmts", "false");
    p.setProperty("useLocalSessionState", "true");
    p.setProperty("maxAllowedPacket", String.valueOf(1 << 30));
    // Connector/J otherwise reads the clock for every packet, i.e. for every row of a dump
    p.setProperty("maintainTimeStats", "false");
    // Connector/J otherwise wraps every streamed read in two SETs of net_write_timeout (to 600 s
    // and back): a round trip each, and the session's own longer timeout overruled during the read
    p.setProperty("netTimeoutForStreamingResults", "0");
    if (localRows) {
      p.setProperty("allowLoadLocalInfileInPath", NO_FILES.toString());
    }
    try (TrustStoreFile unused = tls.configure(p)) {
      return DriverManager.getConnection(url, p);
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE, "cannot connect to " + describe() + ": " + whyNoConnection(e), e);
    }
  }

  /**
   * Why a connection could not be made, in words an operator acts on: Connector/J says
   * "Communications link failure" for an unknown host name, a closed port and a silent host alike,
   * and keeps the cause, which tells them apart, in its exception chain.
   */
  private String whyNoConnection(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException) {
        return "host name '" + config.host() + "' does not resolve (" + firstLine(e) + ")";
      }
      if (t instanceof ConnectException) {
        return "nothing listens on port "
            + config.port()
            + " of "
            + config.host()
            + ", or a firewall refuses it ("
            + firstLine(e)
            + ")";
      }
      if (t instanceof SocketTimeoutException) {
        return "no answer from "
            + config.host()
            + " within "
            + CONNECT_TIMEOUT_SECONDS
            + " s ("
            + firstLine(e)
            + ")";
      }
    }
    String tlsRefusal = tls.whyRefused(e);
    return tlsRefusal != null ? tlsRefusal : firstLine(e);
  }

  private String hostPart() {
    String h = config.host();
    return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
  }

  /**
   * Why a statement failed, in one line: the server's or driver's message, said to be a lost
   * connection when it is one, so that "Connection was killed" or "Communications link failure"
   * reads as what happened rather than as a fault of the statement.
   */
  public static String reason(SQLException e) {
    return isLostConnection(e)
        ? "the connection to the server was lost (" + firstLine(e) + ")"
        : firstLine(e);
  }

  /**
   * Whether {@code e} says the connection is gone: a connection-exception SQLSTATE (Connector/J's
   * communications failures are 08S01), the server's "connection was killed" (MariaDB 1927), "gone
   * away" (2006), "lost connection" (2013) or "disconnected for inactivity" (MySQL 4031), or, for a
   * connection lost while rows streamed in, the end of the stream under the driver's "Error
   * retrieving record" (SQLSTATE S1000).
   */
  static boolean isLostConnection(SQLException e) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    return (state != null && state.startsWith("08"))
        || code == 1927
        || code == 2006
        || code == 2013
        || code == 4031
        || endOfStreamIn(e);
  }

  private static boolean endOfStreamIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.EOFException
          || t instanceof java.net.SocketException
          || t instanceof com.mysql.cj.exceptions.CJCommunicationsException) {
        return true;
      }
    }
    return false;
  }

  /** The first line of a driver message; Connector/J's link failures run over several lines. */
  public static String firstLine(SQLException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.strip();
  }
}
