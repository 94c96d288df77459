package io.backydb.engine.mysql;

import io.backydb.UserWarnings;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables a restore creates whose storage engine the target server lacks (a backup of an
 * ARCHIVE, CONNECT or ROCKSDB table restored where that plugin is not installed). The dump's
 * session has no {@code NO_ENGINE_SUBSTITUTION}, so the server creates such a table in its default
 * engine with a mere warning: its rows fit, and the restore goes on as it always did, but the copy
 * differs from the source. Before the first statement, the restore says so in one line on stderr
 * and in the log, and its summary names the tables. The engines come from the verify pass's read of
 * the dump ({@link DumpContents#engines()}); an engine the server lists but has disabled counts as
 * lacking (it substitutes that too).
 */
final class MissingEngines {

  private static final Logger LOG = LoggerFactory.getLogger(MissingEngines.class);

  /** The tables a warning names; the summary names them all. */
  private static final int NAMED = 20;

  private MissingEngines() {}

  /**
   * Warns of the tables {@code request} creates in an engine the server behind {@code c} lacks.
   *
   * @return those tables, each as {@code `t` (ARCHIVE as InnoDB)}, in name order; none where the
   *     restore did not read the dump or creates no table
   */
  static List<String> warn(Connection c, ApplyRequest request) throws SQLException {
    DumpContents contents = request.contents();
    if (contents == null) {
      return List.of();
    }
    Map<String, String> missing = new TreeMap<>(); // table -> engine
    for (Map.Entry<String, String> e : contents.engines().entrySet()) {
      if (request.selects(Feature.TABLES, e.getKey())) {
        missing.put(e.getKey(), e.getValue());
      }
    }
    if (missing.isEmpty()) {
      return List.of();
    }
    Set<String> supported = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    supported.addAll(
        Queries.column(
            c,
            "SELECT ENGINE FROM information_schema.ENGINES WHERE SUPPORT IN ('YES', 'DEFAULT')"));
    missing.values().removeIf(supported::contains);
    if (missing.isEmpty()) {
      return List.of();
    }
    String instead = Queries.column(c, "SELECT @@default_storage_engine").get(0);
    Set<String> distinct = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    distinct.addAll(missing.values());
    List<String> engines = List.copyOf(distinct);
    List<String> named = new ArrayList<>();
    List<String> summary = new ArrayList<>();
    missing.forEach(
        (table, engine) -> {
          String t = SqlText.quoteIdent(table);
          summary.add(t + " (" + engine + " as " + instead + ")");
          if (named.size() < NAMED) {
            named.add(engines.size() == 1 ? t : t + " (" + engine + ")");
          }
        });
    LOG.warn(
        UserWarnings.STDERR,
        "the target server lacks the {} engine{}; tables created in {} instead: {}{}",
        engines.size() == 1
            ? engines.get(0)
            : String.join(", ", engines.subList(0, engines.size() - 1))
                + " and "
                + engines.get(engines.size() - 1),
        engines.size() == 1 ? "" : "s",
        instead,
        String.join(", ", named),
        missing.size() > NAMED ? ", ... (" + missing.size() + " tables)" : "");
    return summary;
  }
}
