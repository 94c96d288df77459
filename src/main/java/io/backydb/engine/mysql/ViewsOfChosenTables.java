package io.backydb.engine.mysql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The views a backup limited to some tables ({@code database.tables}) takes: those that read only
 * tables of the backup and views it takes. A view of a table left out could not be created where
 * the backup is restored: the restore would fail at it, after applying the tables. Each view left
 * out is named in the log with the objects it reads that the backup leaves out. Which objects a
 * view reads is found from its definition ({@link ViewReferences}).
 */
final class ViewsOfChosenTables {

  private static final Logger LOG = LoggerFactory.getLogger(ViewsOfChosenTables.class);

  private ViewsOfChosenTables() {}

  /**
   * Of {@code views} (in creation order), those to back up, in the same order.
   *
   * @param chosen the tables (and sequences) the backup takes
   * @param databaseTables every table and sequence of the database
   */
  static List<MySqlObjectDumper.View> select(
      List<MySqlObjectDumper.View> views,
      Set<String> chosen,
      Set<String> databaseTables,
      String database) {
    Map<String, Set<String>> reads = new LinkedHashMap<>();
    for (MySqlObjectDumper.View v : views) {
      reads.put(v.name(), ViewReferences.of(v.name(), v.ddl()));
    }
    // a view is left out for a table left out, or for a view left out: until nothing changes,
    // whatever the order (views on views on views)
    Map<String, String> leftOut = new LinkedHashMap<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (MySqlObjectDumper.View v : views) {
        if (leftOut.containsKey(v.name())) {
          continue;
        }
        String why = missing(reads.get(v.name()), chosen, databaseTables, leftOut.keySet());
        if (why != null) {
          leftOut.put(v.name(), why);
          changed = true;
        }
      }
    }
    List<MySqlObjectDumper.View> kept = new ArrayList<>();
    for (MySqlObjectDumper.View v : views) {
      String why = leftOut.get(v.name());
      if (why == null) {
        kept.add(v);
      } else {
        LOG.warn(
            "view {} of database '{}' is left out of the backup: it reads {}, so it could not be"
                + " created where the backup is restored",
            SqlText.quoteIdent(v.name()),
            database,
            why);
      }
    }
    return kept;
  }

  /** What of {@code reads} the backup leaves out, as words; null if nothing. */
  private static String missing(
      Set<String> reads, Set<String> chosen, Set<String> databaseTables, Set<String> viewsLeftOut) {
    Set<String> tables = new TreeSet<>();
    Set<String> views = new TreeSet<>();
    for (String name : reads) {
      if (databaseTables.contains(name) && !chosen.contains(name)) {
        tables.add(name);
      } else if (viewsLeftOut.contains(name)) {
        views.add(name);
      }
    }
    if (tables.isEmpty() && views.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    if (!tables.isEmpty()) {
      parts.add(
          (tables.size() == 1 ? "table " : "tables ")
              + SqlText.quoteIdents(tables)
              + ", not in database.tables");
    }
    if (!views.isEmpty()) {
      parts.add(
          (views.size() == 1 ? "view " : "views ")
              + SqlText.quoteIdents(views)
              + ", left out as well");
    }
    return String.join("; and ", parts);
  }
}
