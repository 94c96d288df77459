package io.backydb.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * The metadata sidecar stored next to every backup ({@code NAME.metadata.json}): everything {@code
 * bin/backy list} shows and a restore needs to find the backup's files. It is written last: a
 * backup without its sidecar is not a finished backup. It never holds a secret.
 *
 * @param metadataVersion version of this JSON schema
 * @param id unique id of the backup
 * @param name the backup's name: {@code <db>_<UTC timestamp>}
 * @param layout how the backup is stored: {@code sql} (one .sql file), {@code sql-files} (a folder
 *     with one .sql per feature) or {@code backy} (one .backy container)
 * @param features the features the backup holds (the config's {@code database.features})
 * @param tableFilter the config's {@code database.tables}: the only tables the backup was asked
 *     for; null (absent from the JSON) when it took every table. Sidecars written before BackyDB
 *     recorded it have none either, and count as backups of every table
 * @param formatVersion the {@code .backy} format version (null for plain SQL)
 * @param files the stored objects, relative to the storage root they were written to: the sidecar's
 *     own folder (a copy in a sub-folder keeps them beside its sidecar)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupMetadata(
    int metadataVersion,
    String id,
    String name,
    Tool tool,
    Instant startedAt,
    Instant completedAt,
    long durationMs,
    Source source,
    List<String> features,
    List<String> tableFilter,
    boolean multipleFiles,
    String layout,
    Integer formatVersion,
    List<StoredFile> files,
    List<Table> tables,
    Compression compression,
    Encryption encryption,
    Integrity integrity,
    Sizes sizes) {

  public static final int VERSION = 1;
  public static final String SUFFIX = ".metadata.json";
  public static final String LAYOUT_SQL = "sql";
  public static final String LAYOUT_SQL_FILES = "sql-files";
  public static final String LAYOUT_BACKY = "backy";

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Tool(String name, String version) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Source(
      String engine,
      String host,
      int port,
      String serverVersion,
      String database,
      String charset,
      String collation) {}

  /**
   * One stored object of the backup: its name, size and SHA-256.
   *
   * @param integrity the file's HMAC or checksum (hex) for plain SQL backups with integrity, else
   *     null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StoredFile(String name, long bytes, String sha256, String integrity) {
    public StoredFile(String name, long bytes, String sha256) {
      this(name, bytes, sha256, null);
    }
  }

  /**
   * One table whose data the backup holds: a table (base or system-versioned) or a sequence, whose
   * data is its state and counts no rows.
   *
   * @param kind {@link #KIND_TABLE} or {@link #KIND_SEQUENCE}; null in sidecars written before
   *     BackyDB recorded it, which leave sequences out of {@code tables}
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Table(String name, long rows, long bytes, String kind) {
    public static final String KIND_TABLE = "table";
    public static final String KIND_SEQUENCE = "sequence";
  }

  /**
   * Whether {@code tables} names every table, sequence included, whose data the backup holds:
   * sidecars written before each entry recorded its kind left sequences out.
   */
  public boolean listsEveryTable() {
    return tables != null && !tables.isEmpty() && tables.stream().allMatch(t -> t.kind() != null);
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Compression(String type, Integer level) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Encryption(String suite, String provider, String keyId) {}

  /**
   * How the backup is protected; never a secret.
   *
   * @param type {@code hmac} or {@code checksum}
   * @param algorithm {@code HMAC-SHA256} or {@code SHA-256}
   * @param value the integrity value (hex): of a {@code .backy} file, as in its trailer; of a plain
   *     SQL backup, the value over its list of files ({@code io.backydb.codec.FileListIntegrity}),
   *     each file's own value being in {@link StoredFile#integrity()}
   * @param kdf, salt (base64), iterations, keyCheck (hex): how the HMAC key is derived from
   *     INTEGRITY_PASSWORD (hmac only)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Integrity(
      String type,
      String algorithm,
      String value,
      String kdf,
      String salt,
      Integer iterations,
      String keyCheck) {

    /** The metadata for integrity parameters {@code p} and a value (null: per file). */
    public static Integrity of(BackyHeader.Integrity p, byte[] value) {
      return new Integrity(
          p.type(),
          p.algorithm(),
          value == null ? null : java.util.HexFormat.of().formatHex(value),
          p.kdf(),
          p.salt() == null ? null : java.util.Base64.getEncoder().encodeToString(p.salt()),
          p.isHmac() ? p.iterations() : null,
          p.keyCheck() == null ? null : java.util.HexFormat.of().formatHex(p.keyCheck()));
    }

    /** The parameters recorded here, for checking a plain SQL backup. */
    public BackyHeader.Integrity params() {
      return new BackyHeader.Integrity(
          type,
          algorithm,
          kdf,
          salt == null ? null : java.util.Base64.getDecoder().decode(salt),
          iterations == null ? 0 : iterations,
          keyCheck == null ? null : java.util.HexFormat.of().parseHex(keyCheck));
    }
  }

  /**
   * Sizes of the backup.
   *
   * @param dumpBytes size of the SQL before compression and encryption
   * @param storedBytes size of what was stored
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Sizes(long dumpBytes, long storedBytes) {}

  /** The sidecar's object name for a backup name. */
  public static String sidecarName(String backupName) {
    return backupName + SUFFIX;
  }

  public long totalRows() {
    return tables == null ? 0 : tables.stream().mapToLong(Table::rows).sum();
  }
}
