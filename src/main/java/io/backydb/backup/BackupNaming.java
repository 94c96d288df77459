package io.backydb.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Backup names: {@code <db>_<yyyyMMdd'T'HHmmss'Z'>}, e.g. {@code shop_20261126T101500Z}. */
public final class BackupNaming {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupNaming() {}

  public static String name(String database, Instant at) {
    // a database name may hold characters no file system or S3 console likes
    String safe = database.replaceAll("[^A-Za-z0-9_.-]", "_");
    return safe + "_" + STAMP.format(at);
  }

  /** The same name with a counter, for two backups of one database in the same second. */
  public static String withCounter(String name, int n) {
    return n == 0 ? name : name + "-" + n;
  }
}
