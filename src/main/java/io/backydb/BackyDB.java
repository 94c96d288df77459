package io.backydb;

import io.backydb.backup.BackupResult;
import io.backydb.camel.BackyRuntime;
import io.backydb.config.BackupConfig;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.restore.RestoreResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The Java API: backups and restores from Java code, as in the seed's Basic Example.
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
 * <p>Every call runs the routes of {@code routes/} ({@code direct:backup}, {@code direct:restore})
 * in an embedded CamelContext, started by the first call: there is no second code path. A config is
 * the one of the config files (docs/configuration.md), as a map, a typed {@link BackupConfig} /
 * {@link RestoreConfig} (made from a map or text by {@link io.backydb.config.ConfigLoader}) or the
 * path of a JSON or YAML file; it is validated whole before anything runs. Secrets and locations
 * ({@code DB_PASSWORD}, {@code LOGGING_PATH}, {@code LOCAL_PATH}, ...) come from the environment:
 * the process's, or the one given to the constructor.
 *
 * <p>One instance may run several backups and restores at once, from any threads. {@link #close()}
 * waits for those running (up to 30 s) and stops the CamelContext; a call after it starts a new
 * one.
 */
public final class BackyDB implements AutoCloseable {

  private final Environment environment;
  private BackyRuntime runtime;

  /** Takes secrets and locations from the process environment ({@code DB_PASSWORD}, ...). */
  public BackyDB() {
    this(Environment.system());
  }

  /**
   * Takes secrets and locations from {@code environment} only, e.g. {@code
   * Environment.of(Map.of("DB_PASSWORD", "", "LOGGING_PATH", "/var/log/backydb", ...))}.
   */
  public BackyDB(Environment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  private synchronized BackyRuntime runtime() {
    if (runtime == null) {
      runtime = new BackyRuntime(environment);
    }
    return runtime;
  }

  /**
   * Backs up with a config given as a map, with the keys of a backup config file.
   *
   * @return where the backup is and its metadata
   * @throws BackyException if the backup fails; its {@link BackyException#code() code} says why
   */
  public BackupResult backup(Map<String, ?> config) {
    return runtime().request("direct:backup", given(config, "backup"), BackupResult.class);
  }

  /**
   * Backs up with a typed config.
   *
   * @return where the backup is and its metadata
   * @throws BackyException if the backup fails; its {@link BackyException#code() code} says why
   */
  public BackupResult backup(BackupConfig config) {
    return runtime().request("direct:backup", given(config, "backup"), BackupResult.class);
  }

  /**
   * Backs up with the config in a JSON or YAML file ({@code .json}, {@code .yaml}, {@code .yml}).
   *
   * @return where the backup is and its metadata
   * @throws BackyException if the backup fails; its {@link BackyException#code() code} says why
   */
  public BackupResult backup(Path configFile) {
    return runtime().request("direct:backup", given(configFile, "backup"), BackupResult.class);
  }

  /**
   * Verifies the backup named by {@code backup_path}, then restores it, with a config given as a
   * map with the keys of a restore config file.
   *
   * @return what was restored, where from and how long it took
   * @throws BackyException if the restore fails or is refused; its {@link BackyException#code()
   *     code} says why
   */
  public RestoreResult restore(Map<String, ?> config) {
    return runtime().request("direct:restore", given(config, "restore"), RestoreResult.class);
  }

  /**
   * Verifies, then restores, with a typed config.
   *
   * @return what was restored, where from and how long it took
   * @throws BackyException if the restore fails or is refused; its {@link BackyException#code()
   *     code} says why
   */
  public RestoreResult restore(RestoreConfig config) {
    return runtime().request("direct:restore", given(config, "restore"), RestoreResult.class);
  }

  /**
   * Verifies, then restores, with the config in a JSON or YAML file.
   *
   * @return what was restored, where from and how long it took
   * @throws BackyException if the restore fails or is refused; its {@link BackyException#code()
   *     code} says why
   */
  public RestoreResult restore(Path configFile) {
    return runtime().request("direct:restore", given(configFile, "restore"), RestoreResult.class);
  }

  /**
   * The config a caller passed, refusing null with a line that says so: the route would report
   * "cannot read a config from a message body of type null", which names no argument of this API.
   */
  private static <T> T given(T config, String operation) {
    if (config == null) {
      throw new BackyException(ErrorCode.CONFIG, "the " + operation + " config is null");
    }
    return config;
  }

  /**
   * Stops the embedded CamelContext and its threads, after the backups and restores running on it
   * have finished (up to 30 s).
   */
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
