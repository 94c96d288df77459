package io.backydb.restore;

import io.backydb.backup.BackupNaming;
import io.backydb.config.Feature;
import io.backydb.engine.DumpContents;
import io.backydb.format.BackupMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sidecar says the backup holds against what its dump holds, once verification has read the
 * dump: its features, the tables whose data it holds, its sizes and its name. A restore believes
 * the sidecar's features and tables before it reads the backup ({@code --tables}, {@code
 * --features}), and {@code list} and retention believe its name and sizes: a sidecar that claims
 * what the dump does not hold was changed.
 *
 * <p>What a sidecar legitimately does not know is not held against it: sequences are missing from
 * the tables of sidecars written before each entry recorded its kind, and a sidecar rewritten by
 * key rotation from one without sizes records a dump of 0 bytes.
 */
final class SidecarContents {

  private static final int NAMES_SHOWN = 20;

  private SidecarContents() {}

  /**
   * Adds a one-line problem for each claim of {@code meta} that the dump contradicts.
   *
   * @param dump what the dump's files hold, read by the verification's scanner
   * @param dumpBytes the bytes of the dump's files, as read
   * @param storedBytes the bytes of the stored objects, as read
   * @param created when the backup started, as its {@code .backy} header says; null for plain SQL,
   *     which has no header
   */
  static void check(
      BackupMetadata meta,
      DumpContents dump,
      long dumpBytes,
      long storedBytes,
      Instant created,
      List<String> problems) {
    Set<Feature> claimed = FeatureSelection.heldBySidecar(meta);
    // the dump has a section for every feature it was made with, an empty one included; a feature
    // of a later BackyDB is known to neither side
    if (claimed != null && !claimed.equals(dump.sections())) {
      problems.add(
          BackupVerifier.disagrees(
              "features", keys(claimed), "the dump holds", keys(dump.sections())));
    }
    if (meta.tables() != null) {
      Set<String> listed = new TreeSet<>();
      meta.tables().forEach(t -> listed.add(t.name()));
      Set<String> held = dump.tablesOf(Feature.DATA);
      Set<String> onlyListed = new TreeSet<>(listed);
      onlyListed.removeAll(held);
      Set<String> onlyHeld = new TreeSet<>(held);
      onlyHeld.removeAll(listed);
      if (!onlyListed.isEmpty()) {
        problems.add(
            BackupVerifier.disagrees(
                "tables include", names(onlyListed), "the dump holds no data of", "them"));
      }
      // a sidecar written before it listed sequences leaves them out: a table it does not name may
      // be one
      if (!onlyHeld.isEmpty() && meta.listsEveryTable()) {
        problems.add(
            BackupVerifier.disagrees(
                "tables leave out", names(onlyHeld), "the dump holds the data of", "them"));
      }
    }
    BackupMetadata.Sizes sizes = meta.sizes();
    if (sizes != null && sizes.dumpBytes() != 0 && sizes.dumpBytes() != dumpBytes) {
      problems.add(
          BackupVerifier.disagrees(
              "dump size", bytes(sizes.dumpBytes()), "the dump has", bytes(dumpBytes)));
    }
    if (sizes != null && sizes.storedBytes() != storedBytes) {
      problems.add(
          BackupVerifier.disagrees(
              "stored size", bytes(sizes.storedBytes()), "the backup has", bytes(storedBytes)));
    }
    if (created != null && !created.equals(meta.startedAt())) {
      problems.add(
          BackupVerifier.disagrees(
              "started_at",
              String.valueOf(meta.startedAt()),
              "the file's header says created",
              created.toString()));
    }
    nameAgrees(meta, created, problems);
  }

  /**
   * The name is {@code <database>_<start>}, with {@code -N} where two backups started in the same
   * second ({@link BackupNaming}); {@code list} and retention go by it. The start is the header's
   * for a {@code .backy} file; plain SQL has only the sidecar's own.
   */
  private static void nameAgrees(BackupMetadata meta, Instant created, List<String> problems) {
    Instant start = created != null ? created : meta.startedAt();
    if (meta.name() == null
        || start == null
        || meta.source() == null
        || meta.source().database() == null) {
      return; // list reports and skips such a sidecar
    }
    if (!BackupNaming.isNameAt(meta.source().database(), start, meta.name())) {
      problems.add(
          BackupVerifier.disagrees(
              "name",
              meta.name(),
              "a backup of database "
                  + meta.source().database()
                  + " started at "
                  + start
                  + " is named",
              BackupNaming.name(meta.source().database(), start)));
    }
  }

  private static String keys(Set<Feature> features) {
    List<String> k =
        Feature.RESTORE_ORDER.stream().filter(features::contains).map(Feature::key).toList();
    return k.isEmpty() ? "none" : String.join(", ", k);
  }

  private static String names(Set<String> names) {
    return names.size() <= NAMES_SHOWN
        ? String.join(", ", names)
        : String.join(", ", names.stream().limit(NAMES_SHOWN).toList())
            + " and "
            + (names.size() - NAMES_SHOWN)
            + " more";
  }

  private static String bytes(long n) {
    return n + (n == 1 ? " byte" : " bytes");
  }
}
