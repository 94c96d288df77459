package io.backydb.engine.mysql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;

/**
 * The {@code -- backy:} comment lines a dump carries so that a restore knows, statement by
 * statement, which feature and which table it is applying. To the {@code mariadb} client they are
 * ordinary comments. Names are JSON-encoded so that any identifier, even one with a newline, stays
 * on its line.
 */
final class DumpDirectives {

  static final String PREFIX = "-- backy:";
  static final String FORMAT = "format";
  static final String DATABASE = "database";
  static final String SECTION = "section";
  static final String TABLE = "table";
  static final String COMPLETE = "complete";

  /**
   * The server's estimate of a table's rows (data section, after its {@code table} line): lets a
   * restore choose how to load it. An estimate, not a count; format 1 readers ignore it.
   */
  static final String ROWS = "rows";

  /**
   * The exact text of the statement that follows (JSON): BackyDB runs it instead of that statement,
   * whose comments a client or the splitter would drop.
   */
  static final String EXACT = "exact";

  /** Version of the SQL dialect our dumps are written in. */
  static final int DUMP_FORMAT = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private DumpDirectives() {}

  static String line(String name, String value) {
    return PREFIX + name + (value == null ? "" : " " + value) + "\n";
  }

  static String json(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String unjson(String s) {
    try {
      return JSON.readValue(s, String.class);
    } catch (JsonProcessingException e) {
      throw new BackyException(ErrorCode.CORRUPT_BACKUP, "malformed dump directive value: " + s);
    }
  }
}
