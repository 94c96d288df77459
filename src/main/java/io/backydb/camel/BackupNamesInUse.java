package io.backydb.camel;

import io.backydb.backup.BackupNaming;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names of the backups this process is writing. A backup is named after the second it started
 * in, so two backups of one database started in the same second (two schedules with the same cron,
 * a schedule and a request) get the same name; neither sees the other's files until they are
 * committed, and the storage then refused the second commit: that backup failed. The {@code store}
 * step reserves its name here, so the second one takes the next free name ({@code
 * shop_20261126T023000Z-1}). Backups of other processes sharing the storage are not seen here.
 */
final class BackupNamesInUse {

  /** Reserved names, as the storage's location of the backup name (without an extension). */
  private static final Set<String> RESERVED = ConcurrentHashMap.newKeySet();

  private BackupNamesInUse() {}

  /**
   * Picks the first name from {@code base} (with a counter) that no backup in the storage and no
   * running backup of this process uses, and reserves it until {@link #release}.
   */
  static String reserve(BackupStorage storage, String base, String extension) throws IOException {
    for (int n = 0; ; n++) {
      String name = BackupNaming.withCounter(base, n);
      String key = storage.location(name);
      if (!RESERVED.add(key)) {
        continue;
      }
      boolean free = false;
      try {
        free =
            !storage.exists(name + extension) && !storage.exists(BackupMetadata.sidecarName(name));
      } finally {
        if (!free) {
          RESERVED.remove(key);
        }
      }
      if (free) {
        return name;
      }
    }
  }

  static void release(BackupStorage storage, String name) {
    RESERVED.remove(storage.location(name));
  }
}
