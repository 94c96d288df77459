package io.backydb.engine;

import io.backydb.config.Feature;
import io.backydb.config.Features;
import io.backydb.progress.ProgressListener;
import java.util.List;
import java.util.Set;

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
   * means every table. {@code contents} is what the dump holds, where the restore read it before
   * applying (null where it did not need to: see {@code RestoreJob#needsDumpContents}); {@code
   * listedFeatures} the features the backup's sidecar lists, which tell what a restore of
   * everything applies where the dump was not read (null if there is no sidecar).
   */
  record ApplyRequest(
      Features features,
      List<String> tables,
      boolean replaceExisting,
      ProgressListener progress,
      DumpContents contents,
      Set<Feature> listedFeatures) {
    public ApplyRequest(Features features, List<String> tables, boolean replaceExisting) {
      this(features, tables, replaceExisting, ProgressListener.NONE);
    }

    public ApplyRequest(
        Features features, List<String> tables, boolean replaceExisting, ProgressListener p) {
      this(features, tables, replaceExisting, p, null, null);
    }

    public ApplyRequest withProgress(ProgressListener p) {
      return new ApplyRequest(features, tables, replaceExisting, p, contents, listedFeatures);
    }

    public ApplyRequest withContents(DumpContents c, Set<Feature> listed) {
      return new ApplyRequest(features, tables, replaceExisting, progress, c, listed);
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

  /**
   * A reader of the section each of a dump's files begins with, and of nothing after it: the first
   * bytes of each file, whatever its size ({@link DumpScanner#readsWholeDump()} is false). A dump
   * writes its sections in restore order, so whether it holds table definitions shows there.
   */
  DumpScanner newLeadingSectionScanner();

  /** Applies a dump to the configured database, creating it if it does not exist. */
  ApplySummary apply(ApplyRequest request, DumpInput input) throws Exception;
}
