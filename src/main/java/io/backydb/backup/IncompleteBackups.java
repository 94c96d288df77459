package io.backydb.backup;

import io.backydb.config.Feature;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Folder backups ({@code multiple_files}) that never got their metadata sidecar: the files a backup
 * committed before it was killed (SIGKILL, a crash, the host going down) and that no clean-up of
 * its own removed. They are not backups ({@code list} does not show them as such, verify and
 * restore refuse them), yet they take disk.
 *
 * <p>A folder counts only if nothing in it can be someone else's: it is at the storage's top level,
 * named as BackyDB names backups ({@link BackupNaming#isName}), holds nothing but files named as a
 * folder backup's files ({@code tables.sql}, {@code data.sql}, ...), and has no {@code
 * NAME.metadata.json} beside it. It is abandoned once nothing has been written under it, temporary
 * files and unfinished uploads included, for {@link BackupStorage#ABANDONED_AFTER}: the rule that
 * already applies to another machine's temporary files, so a backup still writing into the folder
 * is never touched.
 */
public final class IncompleteBackups {

  /** The names BackyDB gives the files of a folder backup: one per feature. */
  private static final Set<String> FILE_NAMES =
      Feature.RESTORE_ORDER.stream().map(f -> f.key() + ".sql").collect(Collectors.toSet());

  private final BackupStorage storage;

  public IncompleteBackups(BackupStorage storage) {
    this.storage = storage;
  }

  /**
   * A folder without its sidecar.
   *
   * @param name the folder's name, which is the backup's ({@code shop_20261126T101500Z})
   * @param location the folder as {@link BackupStorage#location} shows it
   * @param files its files' object names, sorted
   * @param lastWrite when anything was last written under it ({@link BackupStorage#lastWriteUnder})
   */
  public record Folder(String name, String location, List<String> files, Instant lastWrite) {

    public Folder {
      files = List.copyOf(files);
    }

    /** Whether nothing has been written under it for {@link BackupStorage#ABANDONED_AFTER}. */
    public boolean abandoned(Instant now) {
      return lastWrite.plus(BackupStorage.ABANDONED_AFTER).isBefore(now);
    }
  }

  /**
   * Every incomplete folder backup in the storage, by name; young ones too (they may be running).
   */
  public List<Folder> list() throws IOException {
    List<String> all = storage.list("");
    Set<String> names = new HashSet<>(all);
    Map<String, List<String>> files = new TreeMap<>();
    Set<String> foreign = new HashSet<>();
    for (String n : all) {
      int slash = n.indexOf('/');
      if (slash < 0 || !BackupNaming.isName(n.substring(0, slash))) {
        continue;
      }
      String folder = n.substring(0, slash);
      if (FILE_NAMES.contains(n.substring(slash + 1))) {
        files.computeIfAbsent(folder, f -> new ArrayList<>()).add(n);
      } else {
        foreign.add(folder); // a file BackyDB does not write: the folder may not be a backup's
      }
    }
    List<Folder> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : files.entrySet()) {
      String folder = e.getKey();
      if (foreign.contains(folder) || names.contains(BackupMetadata.sidecarName(folder))) {
        continue;
      }
      Instant last = storage.lastWriteUnder(folder);
      if (last == null) {
        continue; // removed since the listing
      }
      List<String> sorted = new ArrayList<>(e.getValue());
      sorted.sort(null);
      out.add(new Folder(folder, storage.location(folder), sorted, last));
    }
    return out;
  }

  /**
   * Deletes the folder's files, only those it was listed with; a local folder goes with its last
   * file.
   */
  public void remove(Folder folder) throws IOException {
    for (String file : folder.files()) {
      storage.delete(file);
    }
  }
}
