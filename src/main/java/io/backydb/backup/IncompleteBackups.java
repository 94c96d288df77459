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
 * What backups left without their metadata sidecar: the files a backup committed before it was
 * killed (SIGKILL, a crash, the host going down, or a network cut during the sidecar's upload) and
 * that no clean-up of its own removed. They take space, yet {@code list} does not show them as
 * backups and retention does not count them.
 *
 * <ul>
 *   <li>A folder backup ({@code multiple_files}) left half its files: it is no backup (verify and
 *       restore refuse it).
 *   <li>A single-file backup ({@code NAME.sql}, {@code NAME.backy}) whose sidecar was never written
 *       holds all its data and can still be restored or verified by its location; only its metadata
 *       is missing.
 * </ul>
 *
 * <p>A leftover counts only if nothing in it can be someone else's: it is at the storage's top
 * level, named as BackyDB names backups ({@link BackupNaming#isName}), a folder holds nothing but
 * files named as a folder backup's files ({@code tables.sql}, {@code data.sql}, ...), and there is
 * no {@code NAME.metadata.json} beside it. It is abandoned once nothing has been written to it,
 * temporary files and unfinished uploads included, for {@link BackupStorage#ABANDONED_AFTER}: the
 * rule that already applies to another machine's temporary files, so a backup still writing its
 * files, or its sidecar right after them, is never touched.
 */
public final class IncompleteBackups {

  /** The names BackyDB gives the files of a folder backup: one per feature. */
  private static final Set<String> FILE_NAMES =
      Feature.RESTORE_ORDER.stream().map(f -> f.key() + ".sql").collect(Collectors.toSet());

  /** The extensions of a single-file backup: plain SQL, or the {@code .backy} container. */
  private static final List<String> SINGLE_FILE_EXTENSIONS = List.of(".sql", ".backy");

  private final BackupStorage storage;

  public IncompleteBackups(BackupStorage storage) {
    this.storage = storage;
  }

  /**
   * A backup's files without its sidecar.
   *
   * @param name the backup's name ({@code shop_20261126T101500Z})
   * @param location the folder, or the single file, as {@link BackupStorage#location} shows it
   * @param files its files' object names, sorted
   * @param lastWrite when anything was last written to it ({@link BackupStorage#lastWriteUnder},
   *     {@link BackupStorage#lastModified})
   * @param folder whether it is a folder backup's folder, else a single-file backup's file
   */
  public record Leftover(
      String name, String location, List<String> files, Instant lastWrite, boolean folder) {

    public Leftover {
      files = List.copyOf(files);
    }

    /** Whether nothing has been written to it for {@link BackupStorage#ABANDONED_AFTER}. */
    public boolean abandoned(Instant now) {
      return lastWrite.plus(BackupStorage.ABANDONED_AFTER).isBefore(now);
    }
  }

  /** Every leftover in the storage, by name; young ones too (they may be backups running). */
  public List<Leftover> list() throws IOException {
    List<String> all = storage.list("");
    Set<String> names = new HashSet<>(all);
    Map<String, List<String>> files = new TreeMap<>();
    Set<String> foreign = new HashSet<>();
    Map<String, String> singles = new TreeMap<>();
    for (String n : all) {
      int slash = n.indexOf('/');
      if (slash < 0) {
        String backup = singleFileBackup(n);
        if (backup != null) {
          singles.put(backup, n);
        }
        continue;
      }
      if (!BackupNaming.isName(n.substring(0, slash))) {
        continue;
      }
      String folder = n.substring(0, slash);
      if (FILE_NAMES.contains(n.substring(slash + 1))) {
        files.computeIfAbsent(folder, f -> new ArrayList<>()).add(n);
      } else {
        foreign.add(folder); // a file BackyDB does not write: the folder may not be a backup's
      }
    }
    List<Leftover> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : files.entrySet()) {
      String folder = e.getKey();
      if (foreign.contains(folder) || hasSidecar(names, folder)) {
        continue;
      }
      Instant last = storage.lastWriteUnder(folder);
      if (last == null) {
        continue; // removed since the listing
      }
      List<String> sorted = new ArrayList<>(e.getValue());
      sorted.sort(null);
      out.add(new Leftover(folder, storage.location(folder), sorted, last, true));
    }
    for (Map.Entry<String, String> e : singles.entrySet()) {
      if (hasSidecar(names, e.getKey())) {
        continue;
      }
      Instant last = storage.lastModified(e.getValue());
      if (last == null) {
        continue; // removed, or its sidecar's backup pruned, since the listing
      }
      out.add(
          new Leftover(
              e.getKey(), storage.location(e.getValue()), List.of(e.getValue()), last, false));
    }
    out.sort(java.util.Comparator.comparing(Leftover::name));
    return out;
  }

  /**
   * Whether the backup has its sidecar, or the copy of it that {@code keys rotate} writes while it
   * replaces the sidecar ({@link ObjectReplacer}): a rotation cut off between deleting the old
   * sidecar and writing the new one leaves the sidecar only there, until the next rotation finishes
   * it. That backup is complete, not a leftover.
   */
  private static boolean hasSidecar(Set<String> names, String backup) {
    String sidecar = BackupMetadata.sidecarName(backup);
    return names.contains(sidecar) || names.contains(sidecar + ObjectReplacer.SUFFIX);
  }

  /** The backup name of a top-level single-file backup's file name, or null. */
  private static String singleFileBackup(String file) {
    for (String extension : SINGLE_FILE_EXTENSIONS) {
      if (file.endsWith(extension)) {
        String name = file.substring(0, file.length() - extension.length());
        return BackupNaming.isName(name) ? name : null;
      }
    }
    return null;
  }

  /**
   * Deletes the leftover's files, only those it was listed with; a local folder goes with its last
   * file.
   */
  public void remove(Leftover leftover) throws IOException {
    for (String file : leftover.files()) {
      storage.delete(file);
    }
  }
}
