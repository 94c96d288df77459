package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The seed's {@code database} section: where the database is and what to take from it. The password
 * is not here: it comes from the {@code DB_PASSWORD} environment variable.
 *
 * @param host server host name or address (required)
 * @param port server port (default 3306)
 * @param user login user (required)
 * @param dbName the database (schema) to back up or restore into (required)
 * @param multipleFiles one file per feature instead of one file (default false)
 * @param features the parts to back up or restore, or null when the config names none: a backup
 *     then takes tables and data (the seed's default), a restore everything the backup holds
 * @param tables if not empty, only these tables (default: all)
 */
public record DatabaseConfig(
    String host,
    int port,
    String user,
    String dbName,
    boolean multipleFiles,
    Features features,
    List<String> tables) {

  public static final int DEFAULT_PORT = 3306;

  public DatabaseConfig {
    tables = tables == null ? List.of() : List.copyOf(tables);
  }

  @JsonCreator
  static DatabaseConfig fromJson(
      @JsonProperty(value = "host", required = true) String host,
      @JsonProperty("port") Integer port,
      @JsonProperty(value = "user", required = true) String user,
      @JsonProperty(value = "db_name", required = true) String dbName,
      @JsonProperty("multiple_files") Boolean multipleFiles,
      @JsonProperty("features") Features features,
      @JsonProperty("tables") List<String> tables) {
    return new DatabaseConfig(
        host,
        port == null ? DEFAULT_PORT : port,
        user,
        dbName,
        multipleFiles != null && multipleFiles,
        features,
        tables);
  }

  /** The features a backup takes: those configured, or the seed's default (tables and data). */
  public Features backupFeatures() {
    return features == null ? Features.DEFAULT : features;
  }

  /** A copy pointing at another database name (used by the demo and by restore tests). */
  public DatabaseConfig withDbName(String name) {
    return new DatabaseConfig(host, port, user, name, multipleFiles, features, tables);
  }

  public DatabaseConfig withFeatures(Features f) {
    return new DatabaseConfig(host, port, user, dbName, multipleFiles, f, tables);
  }

  public DatabaseConfig withTables(List<String> t) {
    return new DatabaseConfig(host, port, user, dbName, multipleFiles, features, t);
  }
}
