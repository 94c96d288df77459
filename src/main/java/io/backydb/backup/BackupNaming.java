package io.backydb.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Backup names: {@code <db>_<yyyyMMdd'T'HHmmss'Z'>}, e.g. {@code shop_20261126T101500Z}. */
public final class BackupNaming {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupNaming() {}

  /** What {@link #withCounter} adds: {@code -1}, {@code -2}, ... */
  private static final String COUNTER = "(?:-[1-9][0-9]*)?";

  /** What follows {@code <db>_} in every name {@link #name} and {@link #withCounter} give. */
  private static final Pattern STAMP_AND_COUNTER = Pattern.compile("[0-9]{8}T[0-9]{6}Z" + COUNTER);

  public static String name(String database, Instant at) {
    return safe(database) + "_" + STAMP.format(at);
  }

  /** A database name may hold characters no file system or S3 console likes. */
  private static String safe(String database) {
    return database.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /**
   * Whether {@code name} is one this class gives a backup of {@code database}: {@code
   * shop_20261126T101500Z} or {@code shop_20261126T101500Z-1} is, {@code shop_eu_20261126T101500Z}
   * is not (it is a backup of {@code shop_eu}).
   */
  public static boolean isNameOf(String database, String name) {
    String start = safe(database) + "_";
    return name.startsWith(start)
        && STAMP_AND_COUNTER.matcher(name.substring(start.length())).matches();
  }

  /**
   * Whether {@code name} is the name of a backup of {@code database} started at {@code at}: {@link
   * #name}, or it with a counter ({@link #withCounter}).
   */
  public static boolean isNameAt(String database, Instant at, String name) {
    String expected = name(database, at);
    return name.startsWith(expected) && name.substring(expected.length()).matches(COUNTER);
  }

  /**
   * Whether backups of {@code database} may take the names of another database's: its name holds
   * characters {@link #name} replaces ({@code shop eu} names its backups as {@code shop_eu} does),
   * or one of {@code others} (the databases of the storage's finished backups) is another database
   * named alike.
   */
  public static boolean sharesNames(String database, java.util.Collection<String> others) {
    String safe = safe(database);
    return !safe.equals(database)
        || others.stream().anyMatch(o -> !o.equals(database) && safe(o).equals(safe));
  }

  /** Whether {@code name} is one this class gives a backup of some database. */
  public static boolean isName(String name) {
    int stamp = name.lastIndexOf('_');
    return stamp > 0
        && safe(name.substring(0, stamp)).equals(name.substring(0, stamp))
        && STAMP_AND_COUNTER.matcher(name.substring(stamp + 1)).matches();
  }

  /** The same name with a counter, for two backups of one database in the same second. */
  public static String withCounter(String name, int n) {
    return n == 0 ? name : name + "-" + n;
  }
}
