package io.backydb.camel.service;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Process-level settings of {@code bin/backy run}, read from {@code backy.properties} in the routes
 * folder (optional) and from CLI options. Every key is documented in docs/scheduling.md. The same
 * file may hold Camel Main's own {@code camel.*} options. Secrets never live in the file: the
 * service database password comes from {@code BACKY_DATABASE_PASSWORD}.
 */
public final class ServiceSettings {

  /** The settings file looked for in the routes folder. */
  public static final String FILE_NAME = "backy.properties";

  /** Environment variable holding the service database password. */
  public static final String DATABASE_PASSWORD_ENV = "BACKY_DATABASE_PASSWORD";

  public static final String EVENTS_URI = "backy.events.uri";
  public static final String REQUESTS_BACKUP_URI = "backy.requests.backup.uri";
  public static final String REQUESTS_RESTORE_URI = "backy.requests.restore.uri";
  public static final String REQUESTS_RESULT_URI = "backy.requests.result.uri";
  public static final String REQUESTS_CONFIG_DIR = "backy.requests.config-dir";
  public static final String DATABASE_URL = "backy.database.url";
  public static final String DATABASE_USER = "backy.database.user";
  public static final String CLUSTER_ENABLED = "backy.cluster.enabled";
  public static final String CLUSTER_INSTANCE_ID = "backy.cluster.instance-id";
  public static final String CLUSTER_CHECKIN_MS = "backy.cluster.checkin-interval-ms";
  public static final String HTTP_PORT = "backy.http.port";
  public static final String HISTORY_FILE = "backy.history.file";
  public static final String RELOAD_INTERVAL_MS = "backy.reload.interval-ms";
  public static final String NODE_NAME = "backy.node";
  public static final String REQUESTS_MAX_BYTES = "backy.requests.max-bytes";

  private final Properties props;
  private final Path routes;
  private final Environment env;

  private ServiceSettings(Properties props, Path routes, Environment env) {
    this.props = props;
    this.routes = routes;
    this.env = env;
  }

  /** Reads {@code DIR/backy.properties} if present, then {@code extra} (may be null) over it. */
  public static ServiceSettings load(Path routes, Path extra, Environment env) {
    Properties p = new Properties();
    read(p, routes.resolve(FILE_NAME), false);
    if (extra != null) {
      read(p, extra, true);
    }
    return new ServiceSettings(p, routes, env);
  }

  private static void read(Properties p, Path file, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new BackyException(ErrorCode.CONFIG, "settings file " + file + " does not exist");
      }
      return;
    }
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CONFIG, "cannot read settings file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Sets a value, as a CLI option does. */
  public ServiceSettings set(String key, String value) {
    props.setProperty(key, value);
    return this;
  }

  public Optional<String> get(String key) {
    String v = props.getProperty(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
  }

  /** All settings, for Camel's property placeholders ({@code {{backy.events.uri}}}). */
  public Properties all() {
    Properties copy = new Properties();
    copy.putAll(props);
    return copy;
  }

  public Path routes() {
    return routes;
  }

  public Environment environment() {
    return env;
  }

  public Optional<String> eventsUri() {
    return get(EVENTS_URI);
  }

  /**
   * The folder whose config files requests may name (its real path), or empty: requests must carry
   * their config ({@link RequestConfigFiles}).
   */
  public Optional<Path> requestsConfigDir() {
    Optional<String> v = get(REQUESTS_CONFIG_DIR);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    Path dir = Path.of(v.get());
    if (!Files.isDirectory(dir)) {
      throw new BackyException(
          ErrorCode.CONFIG, REQUESTS_CONFIG_DIR + " " + dir + " is not an existing folder");
    }
    try {
      return Optional.of(dir.toRealPath());
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CONFIG, "cannot read " + REQUESTS_CONFIG_DIR + " " + dir + ": " + e, e);
    }
  }

  public Optional<String> databaseUrl() {
    return get(DATABASE_URL);
  }

  public String databaseUser() {
    return get(DATABASE_USER).orElse("root");
  }

  public String databasePassword() {
    return env.get(DATABASE_PASSWORD_ENV).orElse("");
  }

  public boolean clustered() {
    boolean on = Boolean.parseBoolean(get(CLUSTER_ENABLED).orElse("false"));
    if (on && databaseUrl().isEmpty()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          CLUSTER_ENABLED + "=true needs " + DATABASE_URL + " (the database the nodes share)");
    }
    return on;
  }

  public String instanceId() {
    return get(CLUSTER_INSTANCE_ID).orElse("AUTO");
  }

  public long clusterCheckinMs() {
    return longValue(CLUSTER_CHECKIN_MS, 7500);
  }

  /** The HTTP port for health and metrics; 0 or absent turns the HTTP server off. */
  public int httpPort() {
    return (int) longValue(HTTP_PORT, 0);
  }

  /** How often the routes folder is scanned for changes: at least 1 ms (default 2 s). */
  public Duration reloadInterval() {
    long ms = longValue(RELOAD_INTERVAL_MS, 2000);
    if (ms < 1) {
      throw new BackyException(
          ErrorCode.CONFIG,
          RELOAD_INTERVAL_MS + " must be at least 1 (milliseconds), found \"" + ms + "\"");
    }
    return Duration.ofMillis(ms);
  }

  /**
   * The largest request body the request routes read (default 1 MiB): a config is a few hundred
   * bytes, and a body of many megabytes takes many times its size in memory to parse.
   */
  public long requestsMaxBytes() {
    long bytes = longValue(REQUESTS_MAX_BYTES, 1 << 20);
    if (bytes < 1) {
      throw new BackyException(
          ErrorCode.CONFIG,
          REQUESTS_MAX_BYTES + " must be at least 1 (bytes), found \"" + bytes + "\"");
    }
    return bytes;
  }

  /** A name for this node in history records and events. */
  public String node() {
    return get(NODE_NAME).orElseGet(ServiceSettings::hostName);
  }

  /** Where run history goes when no service database is configured. */
  public Path historyFile() {
    return get(HISTORY_FILE)
        .map(Path::of)
        .orElseGet(
            () ->
                env.get(Environment.LOGGING_PATH)
                    .filter(s -> !s.isBlank())
                    .map(d -> Path.of(d, "backy-history.jsonl"))
                    .orElse(Path.of("backy-history.jsonl")));
  }

  private long longValue(String key, long def) {
    String v = get(key).orElse(null);
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new BackyException(ErrorCode.CONFIG, key + " must be a number, found \"" + v + "\"");
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName()
          + "/"
          + ProcessHandle.current().pid();
    } catch (IOException e) {
      return "pid-" + ProcessHandle.current().pid();
    }
  }
}
