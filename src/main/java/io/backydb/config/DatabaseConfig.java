package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigInteger;
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
 *     then takes tables and data (the seed's default), a restore everything the backup holds; a
 *     selection of nothing is refused
 * @param tables if not empty, only these tables (default: all)
 * @param definers what happens to the DEFINER of views, routines, triggers and events: {@code keep}
 *     (default), {@code drop} (the restoring user becomes the definer) or {@code rewrite} (to
 *     {@code definer})
 * @param definer {@code user@host} for {@code definers: rewrite}
 * @param threads connections a backup or restore uses at once (default {@link #defaultThreads()})
 * @param tls how the connection uses TLS (default {@link TlsMode#PREFERRED})
 * @param tlsCa a PEM file of the CA certificates a verifying {@code tls} mode trusts; null for the
 *     JVM's trust store. Read when the database is connected to, not here: a config names it for
 *     the host that runs the job
 */
public record DatabaseConfig(
    String host,
    int port,
    String user,
    String dbName,
    boolean multipleFiles,
    Features features,
    List<String> tables,
    String definers,
    String definer,
    int threads,
    TlsMode tls,
    String tlsCa) {

  public static final int DEFAULT_PORT = 3306;

  /** The TCP port range. */
  public static final int MIN_PORT = 1;

  public static final int MAX_PORT = 65535;

  /** The {@code definers} values. */
  public static final List<String> DEFINER_POLICIES = List.of("keep", "drop", "rewrite");

  /** Most connections the default uses: more rarely helps and loads a production server. */
  static final int MAX_DEFAULT_THREADS = 4;

  public DatabaseConfig {
    requireText("database.host", host);
    requireText("database.user", user);
    requireText("database.db_name", dbName);
    checkPort(BigInteger.valueOf(port));
    if (threads == 0) {
      threads = defaultThreads();
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException(
          "database.threads must be between 1 and 64 (got " + threads + ")");
    }
    if (features != null && features.none()) {
      // "features: {}" or every key false: a backup of nothing would be stored, listed and kept by
      // retention as if it were one, a restore would apply nothing and report success
      throw new IllegalArgumentException(
          "database.features selects nothing: switch on at least one of "
              + String.join(
                  ", ", java.util.Arrays.stream(Feature.values()).map(Feature::key).toList()));
    }
    tables = tables == null ? List.of() : checkTables(tables);
    definers = definers == null ? "keep" : definers.trim().toLowerCase(java.util.Locale.ROOT);
    if (!DEFINER_POLICIES.contains(definers)) {
      throw new IllegalArgumentException(
          "database.definers must be one of keep, drop, rewrite (got '" + definers + "')");
    }
    if (definers.equals("rewrite") && (definer == null || !definer.contains("@"))) {
      throw new IllegalArgumentException(
          "database.definers: rewrite needs database.definer as user@host (e.g. app@'%')");
    }
    tls = tls == null ? TlsMode.PREFERRED : tls;
    if (tlsCa != null) {
      requireText("database.tls_ca", tlsCa);
      if (!tls.verifiesCertificate()) {
        // the CA would be ignored: the operator believes the server is checked when it is not
        throw new IllegalArgumentException(
            "database.tls_ca is set but database.tls is "
                + tls.key()
                + ", which checks no certificate: set tls: verify_ca or verify_identity to verify"
                + " the server against it");
      }
    }
  }

  public DatabaseConfig(
      String host,
      int port,
      String user,
      String dbName,
      boolean multipleFiles,
      Features features,
      List<String> tables) {
    this(host, port, user, dbName, multipleFiles, features, tables, null, null, 0, null, null);
  }

  @JsonCreator
  static DatabaseConfig fromJson(
      @JsonProperty(value = "host", required = true) String host,
      @JsonProperty("port") BigInteger port,
      @JsonProperty(value = "user", required = true) String user,
      @JsonProperty(value = "db_name", required = true) String dbName,
      @JsonProperty("multiple_files") Boolean multipleFiles,
      @JsonProperty("features") Features features,
      @JsonProperty("tables") List<String> tables,
      @JsonProperty("definers") String definers,
      @JsonProperty("definer") String definer,
      @JsonProperty("threads") Integer threads,
      @JsonProperty("tls") String tls,
      @JsonProperty("tls_ca") String tlsCa) {
    if (threads != null && threads < 1) {
      // 0 means "the default" inside the record only; written in a config it is a mistake
      throw new IllegalArgumentException(
          "database.threads must be between 1 and 64 (got " + threads + ")");
    }
    if (port != null) {
      // read as a BigInteger so that 99999999999 gets the range too, not an int overflow
      checkPort(port);
    }
    if (definer != null && definers == null) {
      // the definer was ignored: objects came back with their original DEFINER
      throw new IllegalArgumentException(
          "database.definer is set but database.definers is not: set definers: rewrite to give"
              + " the objects that definer (or keep or drop to leave database.definer unused)");
    }
    if (tls != null) {
      requireText("database.tls", tls);
    }
    if (tlsCa != null && tls == null) {
      // without a mode the CA would be ignored, as with tls: preferred
      throw new IllegalArgumentException(
          "database.tls_ca is set but database.tls is not: set tls: verify_ca or verify_identity"
              + " to verify the server's certificate against it");
    }
    return new DatabaseConfig(
        host,
        port == null ? DEFAULT_PORT : port.intValue(),
        user,
        dbName,
        multipleFiles != null && multipleFiles,
        features,
        tables,
        definers,
        definer,
        threads == null ? 0 : threads,
        tls == null ? null : TlsMode.ofKey(tls),
        tlsCa);
  }

  /** A required string: present, not null (YAML's {@code host:}) and not blank. */
  static void requireText(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
  }

  /**
   * The table names as given, refusing an empty one and one named twice: the dump would take a
   * table once for each time it is named (the backup reports twice the rows, and its restore fails
   * on the second copy's rows, or doubles a table that has no unique key).
   */
  private static List<String> checkTables(List<String> tables) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < tables.size(); i++) {
      String t = tables.get(i);
      if (t == null || t.isBlank()) {
        throw new IllegalArgumentException("database.tables[" + i + "] must not be empty");
      }
      if (!seen.add(t)) {
        throw new IllegalArgumentException("database.tables names table '" + t + "' twice");
      }
    }
    return List.copyOf(tables);
  }

  private static void checkPort(BigInteger port) {
    if (port.compareTo(BigInteger.valueOf(MIN_PORT)) < 0
        || port.compareTo(BigInteger.valueOf(MAX_PORT)) > 0) {
      throw new IllegalArgumentException(
          "database.port must be between " + MIN_PORT + " and " + MAX_PORT + " (got " + port + ")");
    }
  }

  /** The number of cores, at most {@value #MAX_DEFAULT_THREADS}. */
  public static int defaultThreads() {
    return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_DEFAULT_THREADS));
  }

  /** The features a backup takes: those configured, or the seed's default (tables and data). */
  public Features backupFeatures() {
    return features == null ? Features.DEFAULT : features;
  }

  /** A copy pointing at another database name (used by the demo and by restore tests). */
  public DatabaseConfig withDbName(String name) {
    return new DatabaseConfig(
        host,
        port,
        user,
        name,
        multipleFiles,
        features,
        tables,
        definers,
        definer,
        threads,
        tls,
        tlsCa);
  }

  public DatabaseConfig withFeatures(Features f) {
    return new DatabaseConfig(
        host, port, user, dbName, multipleFiles, f, tables, definers, definer, threads, tls, tlsCa);
  }

  public DatabaseConfig withTables(List<String> t) {
    return new DatabaseConfig(
        host,
        port,
        user,
        dbName,
        multipleFiles,
        features,
        t,
        definers,
        definer,
        threads,
        tls,
        tlsCa);
  }

  /** A copy with another DEFINER policy ({@code keep}, {@code drop} or {@code rewrite}). */
  public DatabaseConfig withDefiners(String policy, String newDefiner) {
    return new DatabaseConfig(
        host,
        port,
        user,
        dbName,
        multipleFiles,
        features,
        tables,
        policy,
        newDefiner,
        threads,
        tls,
        tlsCa);
  }

  /** A copy that connects with TLS {@code mode}, trusting the CAs in {@code caFile} if not null. */
  public DatabaseConfig withTls(TlsMode mode, String caFile) {
    return new DatabaseConfig(
        host,
        port,
        user,
        dbName,
        multipleFiles,
        features,
        tables,
        definers,
        definer,
        threads,
        mode,
        caFile);
  }

  /** A copy that uses {@code n} connections at once. */
  public DatabaseConfig withThreads(int n) {
    return new DatabaseConfig(
        host,
        port,
        user,
        dbName,
        multipleFiles,
        features,
        tables,
        definers,
        definer,
        n,
        tls,
        tlsCa);
  }
}
