package io.backydb.engine.mysql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.nio.charset.StandardCharsets;

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
   * The definition of the data section's table ({@code SHOW CREATE TABLE}, JSON), in a backup that
   * holds no {@code tables} section: information for a restore that loads the rows into a table it
   * does not create (the types, character sets, collations and unique keys the rows had), never a
   * statement to run. Readers that do not know it ignore it, as any other client a comment.
   */
  static final String DEFINITION = "definition";

  /**
   * The exact text of the statement that follows (JSON): BackyDB runs it instead of that statement,
   * whose comments a client or the splitter would drop.
   */
  static final String EXACT = "exact";

  /**
   * Version of the SQL dialect our dumps are written in. 2: binary values as {@code _binary'...'}
   * with their raw bytes (1: as hex), so a dump is bytes, not UTF-8 text, and a restore passes it
   * to the server byte for byte. A restore reads both; it refuses a later version.
   */
  static final int DUMP_FORMAT = 2;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper ASCII_JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

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

  /**
   * Text read from a dump as ISO-8859-1 (one char per byte, as the restore reads it) back as the
   * UTF-8 text it is: for names a restore compares with its config or shows to people.
   */
  static String decodeRaw(String rawChars) {
    return new String(rawChars.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** The inverse of {@link #decodeRaw}: text to put into a statement read from a dump. */
  static String encodeRaw(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /**
   * JSON of raw chars (one per byte of the dump), every char above 0x7f escaped ({@code \\u00e9}),
   * so that the line is ASCII and a restore, reading the dump a byte per char, gets the raw chars
   * back from {@link #unjson}.
   */
  static String asciiJson(String rawChars) {
    try {
      return ASCII_JSON.writeValueAsString(rawChars);
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
