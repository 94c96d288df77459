package io.backydb.engine;

import io.backydb.config.Feature;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 */
public record DumpContents(
    Set<Feature> features,
    Map<Feature, Set<String>> tables,
    Map<String, List<String>> rowColumns,
    Set<Feature> sections) {

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
  }

  /** A dump whose every section has statements. */
  public DumpContents(Set<Feature> features, Map<Feature, Set<String>> tables) {
    this(features, tables, Map.of(), features);
  }

  /** The tables named in {@code feature}'s section; empty if the dump has none. */
  public Set<String> tablesOf(Feature feature) {
    return tables.getOrDefault(feature, Set.of());
  }

  /** Every table the dump names, in any section, in name order. */
  public Set<String> allTables() {
    Set<String> all = new TreeSet<>();
    tables.values().forEach(all::addAll);
    return all;
  }
}
