package io.backydb.engine;

import io.backydb.config.Feature;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A database BackyDB can back up and restore. Engines are plain Java: they know nothing of Camel,
 * storages or codecs. A dump is written as SQL files to a {@link DumpOutput}; a restore applies the
 * files of a {@link DumpInput}.
 */
public interface DatabaseEngine {

  /** What to dump. {@code tables} empty means every table. */
  record DumpRequest(
      Features features, List<String> tables, boolean multipleFiles, ProgressListener progress) {
    public DumpRequest(Features features, List<String> tables, boolean multipleFiles) {
      this(features, tables, multipleFiles, ProgressListener.NONE);
    }
  }

  /**
   * What to apply. {@code features} null means everything the dump holds; {@code tables} empty
   * means every table. {@code contents} is what the dump holds, as the restore's verify pass read
   * it before applying (null where a caller applies a dump it has not read: then nothing is checked
   * against the target before the first statement).
   */
  record ApplyRequest(
      Features features,
      List<String> tables,
      boolean replaceExisting,
      ProgressListener progress,
      DumpContents contents) {
    public ApplyRequest(Features features, List<String> tables, boolean replaceExisting) {
      this(features, tables, replaceExisting, ProgressListener.NONE);
    }

    public ApplyRequest(
        Features features, List<String> tables, boolean replaceExisting, ProgressListener p) {
      this(features, tables, replaceExisting, p, null);
    }

    public ApplyRequest withProgress(ProgressListener p) {
      return new ApplyRequest(features, tables, replaceExisting, p, contents);
    }

    public ApplyRequest withContents(DumpContents c) {
      return new ApplyRequest(features, tables, replaceExisting, progress, c);
    }

    /** Whether the request applies {@code f}'s statements (those of the tables it selects). */
    public boolean applies(Feature f) {
      return features == null || features.has(f);
    }

    /**
     * Whether the restore runs the statements of {@code feature} that belong to {@code table} (null
     * or {@code ""}: to none): a restore limited to tables runs only their definitions, rows and
     * triggers.
     */
    public boolean selects(Feature feature, String table) {
      if (!applies(feature)) {
        return false;
      }
      if (tables.isEmpty()) {
        return true;
      }
      return ofTables(feature) && (table == null || table.isEmpty() || tables.contains(table));
    }

    /** Of {@code names}, the tables the request selects. */
    public Set<String> selectedOf(Set<String> names) {
      Set<String> s = new TreeSet<>(names);
      if (!tables.isEmpty()) {
        s.retainAll(tables);
      }
      return s;
    }

    /**
     * Whether a feature's statements each belong to one table (its definition, rows or triggers),
     * which a restore limited to tables selects by the table they belong to.
     */
    public static boolean ofTables(Feature f) {
      return f == Feature.TABLES || f == Feature.DATA || f == Feature.TRIGGERS;
    }
  }

  /** Dumps one consistent snapshot of the configured database. */
  DumpSummary dump(DumpRequest request, DumpOutput output) throws Exception;

  /**
   * Checks that a restore may start (the server answers, the account can see the target, the target
   * is empty or replacing was asked for) without changing anything. Restore calls this before
   * verifying the backup, so a refusal comes before any long read.
   */
  void checkRestoreTarget(ApplyRequest request) throws Exception;

  /** A reader of what a dump of this engine holds, fed the dump's files as they are read. */
  DumpScanner newDumpScanner();

  /** Applies a dump to the configured database, creating it if it does not exist. */
  ApplySummary apply(ApplyRequest request, DumpInput input) throws Exception;
}
