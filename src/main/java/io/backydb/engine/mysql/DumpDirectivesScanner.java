package io.backydb.engine.mysql;

import io.backydb.config.Feature;
import io.backydb.engine.DumpContents;
import io.backydb.engine.DumpContents.Column;
import io.backydb.engine.DumpContents.KeyPart;
import io.backydb.engine.DumpContents.ObjectName;
import io.backydb.engine.DumpScanner;
import io.backydb.engine.sql.SqlSplitter;
import io.backydb.engine.sql.StatementSink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a dump's {@code -- backy:section} and {@code -- backy:table} directives, which sections
 * have statements, the columns each table's rows fill and those its definition declares (its CREATE
 * TABLE, or in a backup without one the data section's {@code -- backy:definition}), its engine,
 * the way {@link MySqlApplier} reads them: through the same {@link SqlSplitter}, so that a
 * directive-like line inside a statement (a routine body's comment, say) is not taken for one. Each
 * file's bytes become chars one to one (ISO-8859-1), as the applier reads them.
 */
final class DumpDirectivesScanner implements DumpScanner {

  private final Set<Feature> features = EnumSet.noneOf(Feature.class);
  private final Set<Feature> sections = EnumSet.noneOf(Feature.class);
  private final Map<Feature, Set<String>> tables = new EnumMap<>(Feature.class);
  private final Map<String, List<String>> rowColumns = new HashMap<>();
  private final Map<String, Map<String, Column>> definedColumns = new HashMap<>();
  private final Map<Feature, Map<String, Long>> largestStatements = new EnumMap<>(Feature.class);
  private final Map<Feature, Map<String, Set<String>>> characterSets = new EnumMap<>(Feature.class);
  private final Map<Feature, Map<String, Set<String>>> collations = new EnumMap<>(Feature.class);
  private final Map<Feature, Map<String, Set<String>>> definers = new EnumMap<>(Feature.class);
  private final Map<String, String> engines = new HashMap<>();
  private final Map<String, List<List<KeyPart>>> uniqueKeys = new HashMap<>();
  private final Set<String> viewReads = new TreeSet<>();
  private final Map<String, Set<ObjectName>> otherDatabaseReads = new HashMap<>();

  @Override
  public OutputStream file(String name) {
    return new FileScan();
  }

  @Override
  public DumpContents contents() {
    return new DumpContents(
        features,
        tables,
        rowColumns,
        sections,
        definedColumns,
        largestStatements,
        characterSets,
        collations,
        definers,
        engines,
        uniqueKeys,
        viewReads,
        otherDatabaseReads);
  }

  /** One file: its bytes fed to a splitter, its directives followed. */
  private final class FileScan extends OutputStream implements StatementSink {
    private final SqlSplitter splitter = new SqlSplitter(this);
    private final char[] chars = new char[1 << 16];
    private Feature feature;
    private String table;
    private boolean closed;

    /**
     * The length of a {@code -- backy:exact} text, which the restore sends for the next statement.
     */
    private long exactLength = -1;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, chars.length);
        for (int i = 0; i < n; i++) {
          chars[i] = (char) (b[off + i] & 0xff);
        }
        splitter.feed(chars, 0, n);
        off += n;
        len -= n;
      }
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        splitter.finish();
      }
    }

    @Override
    public void directive(String text, long line) {
      int sp = text.indexOf(' ');
      String name = sp < 0 ? text : text.substring(0, sp);
      String value = sp < 0 ? "" : text.substring(sp + 1).trim();
      if (name.equals(DumpDirectives.SECTION)) {
        feature = featureOf(value);
        table = null;
        if (feature != null) {
          sections.add(feature);
        }
      } else if (name.equals(DumpDirectives.TABLE) && feature != null) {
        table = DumpDirectives.decodeRaw(DumpDirectives.unjson(value));
        tables.computeIfAbsent(feature, f -> new TreeSet<>()).add(table);
      } else if (name.equals(DumpDirectives.DATABASE)) {
        // the database's defaults, which a restore creates it with
        String[] parts = value.split(" ", 2);
        CharsetNames.add(characterSets, Feature.TABLES, "", DumpDirectives.unjson(parts[0]));
        if (parts.length > 1) {
          CharsetNames.add(collations, Feature.TABLES, "", DumpDirectives.unjson(parts[1]));
        }
      } else if (name.equals(DumpDirectives.DEFINITION)
          && feature == Feature.DATA
          && table != null) {
        // a backup without a tables section: its table's definition as information, never run
        String sql = DumpDirectives.unjson(value);
        if (sql.startsWith("CREATE TABLE ")) {
          define(table, sql);
        }
      } else if (name.equals(DumpDirectives.EXACT)) {
        exactLength = DumpDirectives.unjson(value).length(); // raw chars: one per byte
      }
    }

    @Override
    public void statement(String sql, long line) {
      long bytes = exactLength >= 0 ? exactLength : sql.length();
      exactLength = -1;
      if (feature != null) {
        features.add(feature);
        largestStatements
            .computeIfAbsent(feature, f -> new HashMap<>())
            .merge(table == null ? "" : table, bytes, Math::max);
        if (feature != Feature.DATA) {
          // rows name none (a dump's values are literals of the session's character set)
          CharsetNames.collect(sql, feature, table == null ? "" : table, characterSets, collations);
        }
      }
      if (feature == Feature.TABLES && table != null && sql.startsWith("CREATE TABLE ")) {
        define(table, sql);
      }
      if (feature == Feature.TABLES
          && table != null
          && (sql.startsWith("CREATE TABLE ") || sql.startsWith("CREATE SEQUENCE "))) {
        // a target without it creates the table in its default engine (MissingEngines)
        String engine = TableEngines.of(sql);
        if (engine != null) {
          engines.put(table, engine);
        }
      }
      if (feature != null
          && feature != Feature.TABLES
          && feature != Feature.DATA
          && sql.startsWith("CREATE ")) {
        // whose objects the restore creates, for the privilege that takes (RestorePrivileges)
        String definer = Definers.definerOf(sql);
        if (definer != null) {
          definers
              .computeIfAbsent(feature, f -> new HashMap<>())
              .computeIfAbsent(table == null ? "" : table, t -> new TreeSet<>())
              .add(DumpDirectives.decodeRaw(definer));
        }
      }
      ViewReferences.Definition view =
          feature == Feature.VIEWS && sql.startsWith("CREATE ")
              ? ViewReferences.definitionOf(sql)
              : null;
      if (view != null) {
        // what the view reads, which creating it takes SELECT on (RestorePrivileges)
        for (String name : ViewReferences.read(view.query())) {
          viewReads.add(DumpDirectives.decodeRaw(name));
        }
        for (ObjectName o : ViewReferences.otherDatabases(view.query())) {
          otherDatabaseReads
              .computeIfAbsent(DumpDirectives.decodeRaw(view.view()), v -> new TreeSet<>())
              .add(
                  new ObjectName(
                      DumpDirectives.decodeRaw(o.database()), DumpDirectives.decodeRaw(o.name())));
        }
      }
      if (feature == Feature.DATA && table != null && !rowColumns.containsKey(table)) {
        // the first INSERT of a table: the others name the same columns
        List<String> columns = insertColumns(sql);
        if (columns != null) {
          rowColumns.put(table, columns);
        }
      }
    }
  }

  /**
   * The types and keys of a table's rows, from its CREATE TABLE (raw chars), for a restore that
   * loads them into a table it does not create.
   */
  private void define(String table, String createTable) {
    CreateTableColumns.Definition d =
        CreateTableColumns.definition(DumpDirectives.decodeRaw(createTable));
    definedColumns.put(table, d.columns());
    uniqueKeys.put(table, d.uniqueKeys());
  }

  /**
   * The columns {@code INSERT INTO `t` (`a`,`b`) VALUES ...}, as the dumper writes it, names (raw
   * chars decoded); null for another statement.
   */
  static List<String> insertColumns(String sql) {
    if (!sql.startsWith("INSERT INTO `")) {
      return null;
    }
    int i = SqlText.endOfQuotedName(sql, "INSERT INTO ".length());
    if (i < 0 || !sql.startsWith(" (", i)) {
      return null;
    }
    i += 2;
    List<String> columns = new ArrayList<>();
    while (i < sql.length() && sql.charAt(i) == '`') {
      int end = SqlText.endOfQuotedName(sql, i);
      if (end < 0) {
        return null;
      }
      columns.add(DumpDirectives.decodeRaw(sql.substring(i + 1, end - 1).replace("``", "`")));
      i = end;
      if (i < sql.length() && sql.charAt(i) == ',') {
        i++;
      }
    }
    return sql.startsWith(") VALUES", i) ? columns : null;
  }

  /** The section's feature, or null for one this version does not know (nothing to restore). */
  private static Feature featureOf(String key) {
    try {
      return Feature.ofKey(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
