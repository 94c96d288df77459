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
 * @param files the stored objects, relative to the storage root
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
    boolean multipleFiles,
    String layout,
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

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StoredFile(String name, long bytes, String sha256) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Table(String name, long rows, long bytes) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Compression(String type, Integer level) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Encryption(String suite, String provider, String keyId) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Integrity(String type, String value) {}

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
