package io.backydb;

import io.backydb.backup.BackupResult;
import io.backydb.camel.BackyRuntime;
import io.backydb.config.BackupConfig;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.restore.RestoreResult;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Java API, as in the seed's Basic Example:
 *
 * <pre>{@code
 * try (BackyDB backy = new BackyDB()) {
 *   BackupResult b = backy.backup(Map.of(
 *       "database", Map.of("host", "127.0.0.1", "user", "root", "port", 3306, "db_name", "shop"),
 *       "storage", Map.of("storage_type", "local")));
 *   backy.restore(Map.of(... "backup_path", b.location(), ...));
 * }
 * }</pre>
 *
 * Every call runs the routes of {@code routes/} ({@code direct:backup}, {@code direct:restore}) in
 * an embedded CamelContext: there is no second code path. Secrets come from the environment (the
 * process's, or the one given to the constructor). Failures throw {@link BackyException}.
 */
public final class BackyDB implements AutoCloseable {

  private final Environment environment;
  private BackyRuntime runtime;

  /** Uses the process environment ({@code DB_PASSWORD}, {@code LOCAL_PATH}, ...). */
  public BackyDB() {
    this(Environment.system());
  }

  public BackyDB(Environment environment) {
    this.environment = environment;
  }

  private synchronized BackyRuntime runtime() {
    if (runtime == null) {
      runtime = new BackyRuntime(environment);
    }
    return runtime;
  }

  public BackupResult backup(Map<String, ?> config) {
    return runtime().request("direct:backup", config, BackupResult.class);
  }

  public BackupResult backup(BackupConfig config) {
    return runtime().request("direct:backup", config, BackupResult.class);
  }

  /** Backs up with the config in a JSON or YAML file. */
  public BackupResult backup(Path configFile) {
    return runtime().request("direct:backup", configFile, BackupResult.class);
  }

  public RestoreResult restore(Map<String, ?> config) {
    return runtime().request("direct:restore", config, RestoreResult.class);
  }

  public RestoreResult restore(RestoreConfig config) {
    return runtime().request("direct:restore", config, RestoreResult.class);
  }

  public RestoreResult restore(Path configFile) {
    return runtime().request("direct:restore", configFile, RestoreResult.class);
  }

  @Override
  public synchronized void close() {
    if (runtime != null) {
      // an interrupted caller (a stop request) still closes fully: Camel's graceful shutdown
      // would otherwise give up at once and leave the routes' threads running
      boolean interrupted = Thread.interrupted();
      try {
        runtime.close();
      } finally {
        runtime = null;
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
