package io.backydb.restore;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.config.Features;
import io.backydb.format.BackupMetadata;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The features a restore asks for ({@code database.features}, {@code --features}) against those the
 * backup holds. A selection that holds nothing of the backup would create the target database,
 * apply nothing and report success, so it is refused before anything is applied; one that holds
 * part of it restores that part, and the summary names what was asked for but is not in the backup
 * ({@link io.backydb.engine.ApplySummary#notInBackup()}).
 */
public final class FeatureSelection {

  private FeatureSelection() {}

  /**
   * The features the sidecar says the backup was made with, or null where it does not say (no
   * sidecar): the dump's own sections then tell, once it is read.
   */
  public static Set<Feature> heldBySidecar(BackupMetadata metadata) {
    if (metadata == null || metadata.features() == null) {
      return null;
    }
    Set<Feature> held = EnumSet.noneOf(Feature.class);
    for (String key : metadata.features()) {
      try {
        held.add(Feature.ofKey(key));
      } catch (IllegalArgumentException e) {
        // a feature of a later BackyDB: nothing this one could restore
      }
    }
    return held;
  }

  /**
   * Refuses, with a one-line configuration error, a restore whose features select none of those the
   * backup holds.
   *
   * @param asked the restore's features; null (everything) selects whatever the backup holds
   * @param held the backup's features; null where not known yet
   */
  public static void requireSome(String location, Features asked, Set<Feature> held) {
    if (asked == null || held == null) {
      return;
    }
    if (asked.selected().stream().anyMatch(held::contains)) {
      return;
    }
    throw new BackyException(
        ErrorCode.CONFIG,
        "backup "
            + location
            + " holds none of the features this restore asks for: it holds "
            + (held.isEmpty()
                ? "no feature sections (a SQL dump not written by BackyDB? restore it without"
                    + " features)"
                : keys(Feature.RESTORE_ORDER.stream().filter(held::contains).toList()))
            + ", the restore asks for "
            + keys(asked.selected())
            + " (database.features, or --features); nothing was applied");
  }

  private static String keys(List<Feature> features) {
    return String.join(", ", features.stream().map(Feature::key).toList());
  }
}
