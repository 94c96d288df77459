package io.backydb.engine.mysql;

import io.backydb.config.Feature;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The character sets and collations a dump's statement names, as a server writes them: {@code
 * CHARSET=x}, {@code CHARACTER SET x}, {@code COLLATE x} (definitions of tables and routines), and
 * the session's {@code SET SESSION character_set_client = x}, {@code collation_connection = x} and
 * {@code SET NAMES x} before a view, routine, trigger or event. Quoted text (strings, quoted names)
 * and comments are left out ({@link BareSql}), so a name in a value, an identifier or a comment is
 * not taken for one.
 */
final class CharsetNames {

  private static final Pattern CHARACTER_SET =
      Pattern.compile(
          "(?i)\\b(?:CHARSET|CHARACTER SET|character_set_client|SET NAMES)\\s*=?\\s*([A-Za-z0-9_]+)");

  private static final Pattern COLLATION =
      Pattern.compile("(?i)\\b(?:COLLATE|collation_connection)\\s*=?\\s*([A-Za-z0-9_]+)");

  private CharsetNames() {}

  /** Adds the names {@code sql} holds to those of {@code feature}'s {@code table}. */
  static void collect(
      String sql,
      Feature feature,
      String table,
      Map<Feature, Map<String, Set<String>>> characterSets,
      Map<Feature, Map<String, Set<String>>> collations) {
    if (sql.length() > 1 << 20) {
      return; // no definition is that long: a statement of values
    }
    String bare = BareSql.of(sql);
    find(CHARACTER_SET, bare, characterSets, feature, table);
    find(COLLATION, bare, collations, feature, table);
  }

  private static void find(
      Pattern p,
      String text,
      Map<Feature, Map<String, Set<String>>> into,
      Feature feature,
      String table) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      add(into, feature, table, m.group(1));
    }
  }

  static void add(
      Map<Feature, Map<String, Set<String>>> into, Feature feature, String table, String name) {
    if (name == null || !name.matches("[A-Za-z0-9_]+") || name.equalsIgnoreCase("default")) {
      return;
    }
    into.computeIfAbsent(feature, f -> new HashMap<>())
        .computeIfAbsent(table, t -> new TreeSet<>())
        .add(name.toLowerCase(Locale.ROOT));
  }
}
