package io.backydb.engine;

import io.backydb.config.Feature;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a dump holds, as the dump itself says (its sidecar may be missing, and lists only the tables
 * whose rows were dumped): the features it has statements for, and in each feature's section the
 * tables its statements belong to (definitions, rows, triggers). A restore checks its table list
 * and its target against it before it runs a statement.
 *
 * @param features the features with at least one statement in the dump
 * @param tables per feature, the tables named in its section, in name order
 * @param rowColumns per table of the data section, the columns its rows are inserted into, as its
 *     first INSERT names them; a table with no rows, or whose INSERTs name no columns (a dump not
 *     BackyDB's), has none
 * @param sections the features the dump has a section for, with statements or not: those the backup
 *     was made with (a feature with nothing to back up, such as views of a database without any,
 *     has an empty section)
 * @param definedColumns per table whose definition the dump holds, its columns as that definition
 *     declares them, by lower-case name: from its CREATE TABLE, or in a backup of {@code data}
 *     without {@code tables} from the data section's {@code -- backy:definition} line (information,
 *     never run); such a backup written before that line existed has none, so the types of its rows
 *     are unknown
 * @param largestStatements per feature, the size in bytes of its largest statement (as a restore
 *     sends it: a {@code -- backy:exact} text in place of the statement it stands for) per table it
 *     belongs to, statements of no table under {@code ""}: a restore refuses, before its first
 *     statement, a selection with one larger than the target server takes
 * @param characterSets per feature and table as for {@code largestStatements}, the character sets
 *     its statements other than rows name (lower case; the database's own under the tables feature
 *     and table {@code ""})
 * @param collations the same for collations: a restore refuses, before its first statement, one
 *     that names a character set or collation the target server does not know
 * @param definers per feature of views, routines, triggers and events, and table as for {@code
 *     largestStatements} (a trigger's table, {@code ""} for the others), the DEFINER clauses of its
 *     CREATE statements as the dump writes them (e.g. {@code `root`@`localhost`}), for a restore to
 *     know whose objects it creates before it runs a statement
 * @param engines per table of the tables section whose definition names one, the storage engine it
 *     names, as written ({@code ARCHIVE}, {@code InnoDB}): a restore warns, before its first
 *     statement, of those the target server lacks, whose tables it creates in its default engine
 * @param uniqueKeys per table whose definition the dump holds, its PRIMARY and UNIQUE keys, each as
 *     its parts in order: which sets of columns the backup's rows are known to be unique in, for a
 *     restore that loads them into a table it does not create, whose own unique keys they must not
 *     break half-way; from the same definitions as {@code definedColumns}, none without them
 * @param viewReads the tables, views and sequences of the database that the views' definitions
 *     read, by name: creating a view takes the SELECT privilege on what it reads
 * @param otherDatabaseReads per view, in name order, the tables, views and sequences of other
 *     databases its definition reads ({@code `shop`.`prices`}): creating it takes the SELECT
 *     privilege on them, and their existence on the target server
 */
public record DumpContents(
    Set<Feature> features,
    Map<Feature, Set<String>> tables,
    Map<String, List<String>> rowColumns,
    Set<Feature> sections,
    Map<String, Map<String, Column>> definedColumns,
    Map<Feature, Map<String, Long>> largestStatements,
    Map<Feature, Map<String, Set<String>>> characterSets,
    Map<Feature, Map<String, Set<String>>> collations,
    Map<Feature, Map<String, Set<String>>> definers,
    Map<String, String> engines,
    Map<String, List<List<KeyPart>>> uniqueKeys,
    Set<String> viewReads,
    Map<String, Set<ObjectName>> otherDatabaseReads) {

  /**
   * An object of a database, named by both.
   *
   * @param database the database's name
   * @param name the object's name
   */
  public record ObjectName(String database, String name) implements Comparable<ObjectName> {
    @Override
    public int compareTo(ObjectName o) {
      int d = database.compareTo(o.database);
      return d != 0 ? d : name.compareTo(o.name);
    }

    /** {@code database.name}, unquoted, as the privilege messages name tables. */
    @Override
    public String toString() {
      return database + "." + name;
    }
  }

  /**
   * A column as a table's definition in the dump declares it: what a column of the target must be
   * for the backup's values to go in unchanged.
   *
   * @param type the SQL type as the server writes it, e.g. {@code varchar(20)}, {@code int(10)
   *     unsigned}, {@code enum('a','b')}
   * @param charset the character set of a text column (CHAR, VARCHAR, TEXT, ENUM, SET), else null
   * @param collation the collation of a text column, lower case, where known (the definition names
   *     it for the column or the table), else null
   * @param nullable whether it takes NULL
   */
  public record Column(String type, String charset, String collation, boolean nullable) {}

  /**
   * One part of a key: a column, whole or its first {@code prefix} characters (bytes for a binary
   * column).
   *
   * @param column the column's name, lower case
   * @param prefix the length of a prefix key part; 0 for the whole column
   */
  public record KeyPart(String column, int prefix) {}

  public DumpContents {
    EnumSet<Feature> f = EnumSet.noneOf(Feature.class);
    f.addAll(features);
    features = Collections.unmodifiableSet(f);
    Map<Feature, Set<String>> copy = new EnumMap<>(Feature.class);
    tables.forEach(
        (k, names) -> copy.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(names))));
    tables = Collections.unmodifiableMap(copy);
    rowColumns = Map.copyOf(rowColumns);
    EnumSet<Feature> s = EnumSet.noneOf(Feature.class);
    s.addAll(sections);
    s.addAll(features);
    sections = Collections.unmodifiableSet(s);
    definedColumns = Map.copyOf(definedColumns);
    Map<Feature, Map<String, Long>> largest = new EnumMap<>(Feature.class);
    largestStatements.forEach((k, sizes) -> largest.put(k, Map.copyOf(sizes)));
    largestStatements = Collections.unmodifiableMap(largest);
    characterSets = copyOfNames(characterSets);
    collations = copyOfNames(collations);
    definers = copyOfNames(definers);
    engines = Map.copyOf(engines);
    Map<String, List<List<KeyPart>>> keys = new HashMap<>();
    uniqueKeys.forEach((table, k) -> keys.put(table, k.stream().map(List::copyOf).toList()));
    uniqueKeys = Collections.unmodifiableMap(keys);
    viewReads = Collections.unmodifiableSortedSet(new TreeSet<>(viewReads));
    Map<String, Set<ObjectName>> reads = new TreeMap<>();
    otherDatabaseReads.forEach(
        (view, names) -> reads.put(view, Collections.unmodifiableSortedSet(new TreeSet<>(names))));
    otherDatabaseReads = Collections.unmodifiableMap(reads);
  }

  private static Map<Feature, Map<String, Set<String>>> copyOfNames(
      Map<Feature, Map<String, Set<String>>> names) {
    Map<Feature, Map<String, Set<String>>> copy = new EnumMap<>(Feature.class);
    names.forEach(
        (f, byTable) -> {
          Map<String, Set<String>> t = new HashMap<>();
          byTable.forEach((table, n) -> t.put(table, Set.copyOf(n)));
          copy.put(f, Collections.unmodifiableMap(t));
        });
    return Collections.unmodifiableMap(copy);
  }

  /** A dump whose every section has statements. */
  public DumpContents(Set<Feature> features, Map<Feature, Set<String>> tables) {
    this(
        features, tables, Map.of(), features, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
        Map.of(), Map.of(), Set.of(), Map.of());
  }

  /** The tables named in {@code feature}'s section; empty if the dump has none. */
  public Set<String> tablesOf(Feature feature) {
    return tables.getOrDefault(feature, Set.of());
  }

  /**
   * The DEFINER clauses of {@code feature}'s CREATE statements: those of no table (views, routines,
   * events) and those of the triggers of {@code tables}; empty if none.
   */
  public Set<String> definersOf(Feature feature, Set<String> tables) {
    Set<String> all = new TreeSet<>();
    definers
        .getOrDefault(feature, Map.of())
        .forEach(
            (table, names) -> {
              if (table.isEmpty() || tables.contains(table)) {
                all.addAll(names);
              }
            });
    return all;
  }

  /** Every table the dump names, in any section, in name order. */
  public Set<String> allTables() {
    Set<String> all = new TreeSet<>();
    tables.values().forEach(all::addAll);
    return all;
  }
}
