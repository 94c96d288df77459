package io.backydb.backup;

import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The finished backups in a storage, read from their metadata sidecars. A backup whose sidecar is
 * missing (it failed, or is still running) is not a finished backup and is not listed.
 */
public final class BackupCatalog {

  private final BackupStorage storage;

  public BackupCatalog(BackupStorage storage) {
    this.storage = storage;
  }

  /**
   * A listed backup and where it is.
   *
   * @param location where its backup file (or, for a folder backup, its folder) is, as {@link
   *     BackupStorage#location} shows it
   * @param sidecar the object name of its metadata sidecar, relative to the storage root (e.g.
   *     {@code shop_20261126T101500Z.metadata.json}, or {@code old/shop_....metadata.json} for a
   *     backup in a sub-folder or under a longer S3 prefix)
   */
  public record Entry(BackupMetadata metadata, String location, String sidecar) {

    /**
     * The folder of the sidecar, relative to the storage root, with its trailing '/' ({@code ""} at
     * the top level). The names a sidecar records are relative to the storage the backup was
     * written to, which is this folder: a backup copied into {@code archive/}, or listed through a
     * shorter S3 prefix than it was written under, keeps its files beside its sidecar.
     */
    public String folder() {
      return folderOf(sidecar);
    }
  }

  /**
   * Every finished backup, newest first. Unreadable sidecars, and sidecars without what a listing
   * or a prune needs (a name, a start time, a source database, features, sizes, a name for each
   * file), are skipped (and named in {@code problems}); one removed between the listing and its
   * reading (another process pruned it) is skipped silently: that backup no longer exists.
   */
  public List<Entry> list(List<String> problems) throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String sidecar : storage.list(BackupMetadata.SUFFIX)) {
      try (InputStream in = storage.open(sidecar)) {
        BackupMetadata m = MetadataJson.read(in, storage.location(sidecar));
        List<String> missing = missing(m);
        if (!missing.isEmpty()) {
          problems.add(
              storage.location(sidecar)
                  + ": not backup metadata BackyDB can list: it lacks "
                  + String.join(", ", missing));
          continue;
        }
        String folder = folderOf(sidecar);
        String main =
            m.files() == null || m.files().isEmpty() ? sidecar : folder + m.files().get(0).name();
        String location =
            BackupMetadata.LAYOUT_SQL_FILES.equals(m.layout())
                ? storage.location(folder + m.name())
                : storage.location(main);
        out.add(new Entry(m, location, sidecar));
      } catch (NoSuchFileException gone) {
        // pruned meanwhile by another run on the same storage
      } catch (RuntimeException e) {
        problems.add(storage.location(sidecar) + ": " + e.getMessage());
      }
    }
    out.sort(Comparator.comparing((Entry e) -> e.metadata().startedAt()).reversed());
    return out;
  }

  /** The JSON keys a listed backup needs that {@code m} lacks (valid JSON need not have them). */
  private static List<String> missing(BackupMetadata m) {
    List<String> missing = new ArrayList<>();
    if (m.name() == null || m.name().isBlank()) {
      missing.add("name");
    }
    if (m.startedAt() == null) {
      missing.add("started_at");
    }
    if (m.source() == null || m.source().database() == null) {
      missing.add("source.database");
    }
    if (m.features() == null) {
      missing.add("features");
    }
    if (m.sizes() == null) {
      missing.add("sizes");
    }
    if (m.files() != null
        && m.files().stream().anyMatch(f -> f == null || f.name() == null || f.name().isBlank())) {
      missing.add("files[].name");
    }
    return missing;
  }

  private static String folderOf(String sidecar) {
    return sidecar.substring(0, sidecar.lastIndexOf('/') + 1);
  }
}
