package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, in the restore's error line, that a data statement failed because one of its rows
 * duplicates another in a unique key of its table, and what to do about it.
 *
 * <p>A server mostly says so itself ({@code Duplicate entry 'x' for key 'k'}). MariaDB does not
 * when it loads an empty InnoDB table in bulk, as it does with {@code unique_checks} off (the
 * dump's header turns them off): it sorts the rows into the table's indexes only at COMMIT, and a
 * duplicate found there comes back as {@code Got error 1 "Operation not permitted" during COMMIT}
 * (ER_ERROR_DURING_COMMIT with the storage engine's bare failure), naming neither row nor key, and
 * the line says a duplicate is most likely (the table has a unique key; another failure of the bulk
 * load would read the same). Its key is then named where one cheap query tells it (the table has
 * one unique key), or presumed where the restore found before its first statement that the backup's
 * table has no key like it; no row is loaded again to find out.
 */
final class DuplicateRows {

  private static final Logger LOG = LoggerFactory.getLogger(DuplicateRows.class);

  /** ER_DUP_ENTRY: "Duplicate entry 'x' for key 'k'". */
  private static final int ER_DUP_ENTRY = 1062;

  /** ER_DUP_ENTRY_WITH_KEY_NAME: the same words. */
  private static final int ER_DUP_ENTRY_WITH_KEY_NAME = 1586;

  /** ER_ERROR_DURING_COMMIT: "Got error N "..." during COMMIT". */
  private static final int ER_ERROR_DURING_COMMIT = 1180;

  /** The key a duplicate-entry message names: {@code 'k'}, or MySQL 8's {@code 'table.k'}. */
  private static final Pattern KEY = Pattern.compile(" for key '(.*)'$");

  private DuplicateRows() {}

  /**
   * Why {@code cause} stopped the restore and what to do, as {@code REASON; REMEDY}, if it is a
   * duplicate in a unique key; null otherwise.
   *
   * @param c an open connection to the target, for the table's unique keys
   * @param table the table the statement loads, null if not known (a dump without BackyDB's
   *     directives)
   * @param uncovered the table's unique keys the restore found the backup's table has none for
   *     (empty if none or not known)
   * @param existing whether the table was there before: the restore loads its rows without having
   *     created it, so its keys are the target's own, not the backup's
   */
  static String explain(
      Exception cause,
      Connection c,
      String database,
      String table,
      Set<String> uncovered,
      boolean existing) {
    if (!(cause instanceof SQLException e)) {
      return null;
    }
    String server = MySqlConnections.firstLine(e);
    String key; // the key named, or presumed
    String named; // the key as the reason names it
    String aside = "";
    String told;
    // the bare error 1 at COMMIT names no duplicate: other failures of the bulk load (a full
    // temporary disk) look the same, so the line says what is likely, not what is certain
    String likely = "";
    if (e.getErrorCode() == ER_DUP_ENTRY || e.getErrorCode() == ER_DUP_ENTRY_WITH_KEY_NAME) {
      key = keyNamed(server, table);
      named = key;
      told = server;
    } else if (e.getErrorCode() == ER_ERROR_DURING_COMMIT && server.startsWith("Got error 1 ")) {
      List<String> keys = table == null ? null : uniqueKeys(c, database, table);
      if (keys != null && keys.isEmpty()) {
        return null; // no unique key to break: the COMMIT failed otherwise
      }
      named = keys != null && keys.size() == 1 ? keys.get(0) : null;
      key = named != null ? named : uncovered.size() == 1 ? uncovered.iterator().next() : null;
      if (named == null && key != null) {
        aside = ", presumably " + SqlText.quoteIdent(key) + ", which the backup's table lacks";
      }
      told = "the server reports only a failure at COMMIT: " + server;
      likely = "most likely ";
    } else {
      return null;
    }
    if (named != null && uncovered.contains(named)) {
      aside = ", which the backup's table lacks";
    }
    String reason =
        likely
            + "a row duplicates another in "
            + (named == null ? "a unique key" : "unique key " + SqlText.quoteIdent(named))
            + (table == null ? " of its table" : " of the table")
            + aside
            + " ("
            + told
            + ")";
    String remedy =
        existing
            ? "drop "
                + (key == null ? "that key" : "unique key " + SqlText.quoteIdent(key))
                + " from the table or fix the rows (in the source, then back up again), and"
                + " restore again with --replace-existing"
            : "the backup's own rows break the table's key as its definition declares it: remove"
                + " the duplicates from the dump (or fix them in the source and back up again), and"
                + " restore again with --replace-existing";
    return reason + "; " + remedy;
  }

  /** The key a duplicate-entry message names, without MySQL 8's table prefix; null if none. */
  private static String keyNamed(String message, String table) {
    Matcher m = KEY.matcher(message);
    if (!m.find()) {
      return null;
    }
    String key = m.group(1);
    return table != null && key.startsWith(table + ".") ? key.substring(table.length() + 1) : key;
  }

  /** The table's unique keys, or null if the server does not tell them. */
  private static List<String> uniqueKeys(Connection c, String database, String table) {
    try {
      return ExistingTables.uniqueKeyNames(c, database, table);
    } catch (SQLException e) {
      LOG.debug("reading the unique keys of table {}: {}", table, e.toString());
      return null;
    }
  }
}
