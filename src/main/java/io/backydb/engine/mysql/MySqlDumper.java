package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.DumpRequest;
import io.backydb.engine.DumpOutput;
import io.backydb.engine.DumpSummary;
import io.backydb.engine.TableStats;
import io.backydb.progress.ProgressListener;
import io.backydb.stream.OrderedParallelOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Dumps one MySQL/MariaDB database as SQL inside one consistent snapshot (REPEATABLE READ + START
 * TRANSACTION WITH CONSISTENT SNAPSHOT): every table is read as of the same moment. Table data is
 * read by {@code database.threads} connections sharing that snapshot ({@link SharedSnapshot}), big
 * tables split into primary-key ranges ({@link PrimaryKeyChunks}); the output is the same as from
 * one connection. Rows are streamed from the server one at a time and written as multi-row INSERTs
 * of about {@link #STATEMENT_BYTES}; memory is bounded by threads × {@link #BUFFERED_BLOCKS}
 * blocks, whatever the size of the tables.
 */
final class MySqlDumper {

  /** Target size of one INSERT statement: far below every server's max_allowed_packet default. */
  static final int STATEMENT_BYTES = 1 << 20;

  /**
   * Table data (InnoDB's DATA_LENGTH) per primary-key range of a big table. Small enough that the
   * SQL of a range (a few MiB) fits in a reader's share of the output budget, so that a reader
   * ahead of the writer finishes its range instead of waiting; big enough that a range query costs
   * nothing next to its rows.
   */
  static final long CHUNK_BYTES = 4L << 20;

  /**
   * Output blocks (of 256 KiB) per reader that the readers may prepare ahead of the writer: room
   * for a whole range (see {@link #CHUNK_BYTES}), little enough to bound memory (6 MiB a reader).
   */
  static final int BUFFERED_BLOCKS = 24;

  /**
   * "Table definition has changed, please retry transaction": a table rebuilt by an ALTER TABLE
   * after the snapshot began cannot be read in it.
   */
  private static final int ER_TABLE_DEF_CHANGED = 1412;

  /** Lets the inserts of a system-versioned table carry ROW START/END (MariaDB 10.11+). */
  private static final String HISTORY_ON =
      "/*M!101100 SET SESSION system_versioning_insert_history = 1 */;\n";

  private static final String HISTORY_OFF =
      "/*M!101100 SET SESSION system_versioning_insert_history = 0 */;\n";

  private final MySqlConnections connections;
  private final DumpRequest request;
  private final String database;
  private final Definers definers;
  private final int threads;
  private final long chunkBytes;

  /** Table name → information_schema TABLE_TYPE, for the tables being dumped. */
  private final Map<String, String> tableTypes = new LinkedHashMap<>();

  /** The server's row estimates (InnoDB's are approximate), for progress and ETA only. */
  private final Map<String, Long> estimatedRows = new LinkedHashMap<>();

  /** Whether history rows of system-versioned tables can be restored (MariaDB 10.11+). */
  private boolean historyInsertable;

  MySqlDumper(MySqlConnections connections, DumpRequest request) {
    this(connections, request, CHUNK_BYTES);
  }

  /** A dumper that splits tables bigger than {@code chunkBytes} (tests use small chunks). */
  MySqlDumper(MySqlConnections connections, DumpRequest request, long chunkBytes) {
    this.connections = connections;
    this.request = request;
    this.threads = connections.config().threads();
    this.chunkBytes = chunkBytes;
    this.database = connections.config().dbName();
    this.definers = Definers.of(connections.config());
  }

  DumpSummary dump(DumpOutput output) throws SQLException, IOException {
    try (Connection c = connections.open()) {
      String[] defaults = databaseDefaults(c);
      historyInsertable = hasVariable(c, "system_versioning_insert_history");
      List<String> tables = tables(c);
      // the server leaves out, without an error, what the account may not see: a backup by an
      // account short of a privilege would be incomplete and look complete
      BackupPrivileges.check(c, database, request.features(), tables, request.tables().isEmpty());
      // read before the snapshot starts: a table altered after this shows in the check at the end,
      // whether its definition is dumped before or after the change
      Definitions definitions =
          request.features().data() ? definitions(c) : new Definitions(Map.of(), Map.of());
      List<Connection> readers =
          SharedSnapshot.start(
              connections,
              c,
              request.features().data() ? threads : 1,
              tables.stream().map(this::qualified).toList());
      try {
        return dump(c, readers, tables, definitions, defaults, output);
      } finally {
        SharedSnapshot.closeOthers(readers);
      }
    }
  }

  private DumpSummary dump(
      Connection c,
      List<Connection> readers,
      List<String> tables,
      Definitions definitions,
      String[] defaults,
      DumpOutput output)
      throws SQLException, IOException {
    String version = queryString(c, "SELECT VERSION()");
    // SHOW CREATE then leaves out the database in references to its own objects
    c.setCatalog(database);
    if (request.features().data()) {
      request
          .progress()
          .begin(
              tables.stream().mapToLong(t -> Math.max(0, estimatedRows.getOrDefault(t, 0L))).sum());
    }
    MySqlObjectDumper objects = new MySqlObjectDumper(c, database, definers);
    // read, and checked, before anything is written: an invalid view fails the backup here
    List<MySqlObjectDumper.View> views =
        request.features().views() ? objects.readViews() : List.of();
    if (!request.tables().isEmpty()) {
      // a backup of some tables: not the views of others, which could not be restored from it
      views = ViewsOfChosenTables.select(views, Set.copyOf(tables), tableTypes.keySet(), database);
    }
    boolean data = request.features().data();
    List<TableStats> stats = new ArrayList<>();
    List<String> files = new ArrayList<>();
    String header = header(version, defaults);

    OutputStream single = null;
    if (!request.multipleFiles()) {
      files.add("dump.sql");
      single = output.newFile("dump.sql");
      single.write(header.getBytes(StandardCharsets.UTF_8));
    }
    for (Feature f : request.features().selected()) {
      OutputStream out = single;
      if (out == null) {
        files.add(f.key() + ".sql");
        out = output.newFile(f.key() + ".sql");
        out.write(header.getBytes(StandardCharsets.UTF_8));
      }
      write(out, DumpDirectives.line(DumpDirectives.SECTION, f.key()));
      switch (f) {
        case TABLES -> dumpTableDefinitions(c, tables, out);
        case DATA -> stats.addAll(dumpData(c, readers, tables, definitions.columns(), out));
        case VIEWS -> objects.writeViews(out, views);
        case FUNCTIONS -> objects.routines(out, "FUNCTION");
        case PROCEDURES -> objects.routines(out, "PROCEDURE");
        case TRIGGERS -> objects.triggers(out, tables);
        case EVENTS -> objects.events(out);
      }
      if (single == null) {
        write(out, DumpDirectives.line(DumpDirectives.COMPLETE, null));
        out.close();
      }
    }
    if (data) {
      requireSameDefinitions(c, tables, definitions);
    }
    if (single != null) {
      write(single, DumpDirectives.line(DumpDirectives.COMPLETE, null));
      single.close();
    }
    for (Connection r : readers) {
      r.commit();
    }
    return new DumpSummary(
        version, defaults[0], defaults[1], List.copyOf(stats), List.copyOf(files));
  }

  /**
   * The data section: each table (or each primary-key range of a big table) is one task; the
   * readers run the tasks in parallel, and their output is written in table order, so the section
   * reads exactly as if one connection had dumped it.
   *
   * <p>Big tables are split the same way however many connections read them (one included): each
   * range ends its last INSERT statement, so a table read whole would be cut into other statements,
   * and a dump on one connection (threads: 1, or the fallback when the tables cannot be locked)
   * would differ from a parallel one.
   */
  private List<TableStats> dumpData(
      Connection c,
      List<Connection> readers,
      List<String> tables,
      Map<String, List<ColumnInfo>> columns,
      OutputStream out)
      throws SQLException, IOException {
    Map<String, List<String>> ranges =
        PrimaryKeyChunks.plan(c, database, Set.copyOf(tables), chunkBytes);
    List<OrderedParallelOutput.Task> tasks = new ArrayList<>();
    // one statement buffer per reader, reused from range to range: it grows to a statement's size
    SqlText[] texts = new SqlText[readers.size()];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = new SqlText();
    }
    Map<String, TableProgress> progress = new java.util.HashMap<>();
    // a sequence is a table of the backup too (a restore's --tables may name it), with no rows
    Map<String, TableStats> sequences = new java.util.concurrent.ConcurrentHashMap<>();
    for (String t : biggestFirst(tables, ranges)) {
      if (isSequence(t)) {
        tasks.add(
            (worker, o) ->
                sequences.put(
                    t, new TableStats(t, 0, dumpSequenceValue(readers.get(worker), t, o), true)));
        continue;
      }
      List<String> where = ranges.getOrDefault(t, List.of(""));
      TableProgress tp = new TableProgress(t, columns.getOrDefault(t, List.of()), where.size());
      progress.put(t, tp);
      for (int i = 0; i < where.size(); i++) {
        String condition = where.get(i);
        boolean first = i == 0;
        boolean last = i == where.size() - 1;
        tasks.add(
            (worker, o) -> {
              try {
                dumpTableData(readers.get(worker), texts[worker], tp, condition, first, last, o);
              } catch (SQLException e) {
                if (e.getErrorCode() == ER_TABLE_DEF_CHANGED) {
                  throw altered(t);
                }
                throw new SQLException(
                    "reading table " + SqlText.quoteIdent(t) + ": " + MySqlConnections.reason(e),
                    e.getSQLState(),
                    e.getErrorCode(),
                    e);
              }
            });
      }
    }
    try {
      new OrderedParallelOutput(readers.size(), BUFFERED_BLOCKS * readers.size(), "backy-dump")
          .run(tasks, out);
    } catch (SQLException | IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("dump interrupted", e);
    }
    return tables.stream()
        .map(t -> progress.containsKey(t) ? progress.get(t).stats() : sequences.get(t))
        .toList();
  }

  /**
   * The data section's order: tables split into the most primary-key ranges first, the others in
   * name order. A restore builds a big table's deferred indexes ({@link DeferredIndexes}) on one
   * connection once its rows are in, which takes seconds; with the big tables first, the other
   * connections load the rest of the dump meanwhile instead of waiting at the end. The order
   * depends only on the range plan, which a dump on one connection shares with a parallel one.
   */
  static List<String> biggestFirst(List<String> tables, Map<String, List<String>> ranges) {
    List<String> order = new ArrayList<>(tables);
    order.sort(
        java.util.Comparator.comparingInt(
            (String t) -> -ranges.getOrDefault(t, List.of("")).size()));
    return order;
  }

  /** The columns a table's rows are read from, and whether its history is read too. */
  private record Shape(List<Column> columns, boolean history) {}

  /**
   * One table's ranges, which may run on different threads: its shape, and its rows and bytes,
   * added up.
   */
  private final class TableProgress {
    final String table;
    final Shape shape;
    private final AtomicInteger remainingParts;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    TableProgress(String table, List<ColumnInfo> columns, int parts) {
      this.table = table;
      boolean history = dumpsHistory(table, columns);
      this.shape = new Shape(insertableColumns(columns, history), history);
      this.remainingParts = new AtomicInteger(parts);
    }

    TableStats stats() {
      return new TableStats(table, rows.get(), bytes.get());
    }
  }

  private String[] databaseDefaults(Connection c) throws SQLException {
    String[] defaults = readDatabaseDefaults(c);
    if (defaults == null) {
      // hidden from an account without a privilege on it as if it did not exist: say which
      UnlistedDatabase why = UnlistedDatabase.of(c, database);
      if (why == UnlistedDatabase.HIDDEN) {
        throw UnlistedDatabase.hidden(c, database, connections, "back up");
      }
      defaults = why == UnlistedDatabase.THERE ? readDatabaseDefaults(c) : null;
    }
    if (defaults == null) {
      throw new BackyException(
          ErrorCode.DATABASE,
          "database '" + database + "' does not exist on " + connections.describe());
    }
    return defaults;
  }

  /** The database's default charset and collation, or null if SCHEMATA does not list it. */
  private String[] readDatabaseDefaults(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
      }
    }
  }

  private static boolean hasVariable(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SHOW VARIABLES LIKE ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private boolean isSequence(String table) {
    return "SEQUENCE".equals(tableTypes.get(table));
  }

  private boolean isVersioned(String table) {
    return "SYSTEM VERSIONED".equals(tableTypes.get(table));
  }

  /** Base tables, system-versioned tables and sequences (MariaDB), by name. */
  private List<String> tables(Connection c) throws SQLException {
    Set<String> all = new LinkedHashSet<>();
    Map<String, String> types = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE')"
                + " ORDER BY TABLE_NAME")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          all.add(rs.getString(1));
          types.put(rs.getString(1), rs.getString(2));
          long estimate = rs.getLong(3);
          estimatedRows.put(rs.getString(1), rs.wasNull() ? -1L : estimate);
        }
      }
    }
    tableTypes.putAll(types);
    if (request.tables().isEmpty()) {
      return List.copyOf(all);
    }
    List<String> chosen = new ArrayList<>();
    for (String t : request.tables()) {
      if (!all.contains(t)) {
        throw new BackyException(
            ErrorCode.CONFIG,
            "table '" + t + "' (database.tables) does not exist in database '" + database + "'");
      }
      chosen.add(t);
    }
    return chosen;
  }

  private String header(String version, String[] defaults) {
    String title =
        "-- BackyDB dump of database "
            + SqlText.quoteIdent(database)
            + " (server "
            + version
            + ", snapshot "
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + ")";
    // MariaDB takes a line break in a database name: one written as it is would end the comment,
    // and the rest of the name would be SQL that every restore and `mariadb <` replay runs
    return title.replace("\r", "\\r").replace("\n", "\\n")
        + "\n"
        + "-- Replay with: mariadb TARGET_DB < this-file.sql\n"
        + DumpDirectives.line(DumpDirectives.FORMAT, String.valueOf(DumpDirectives.DUMP_FORMAT))
        + DumpDirectives.line(
            DumpDirectives.DATABASE,
            DumpDirectives.json(defaults[0]) + " " + DumpDirectives.json(defaults[1]))
        // exact replay: utf8mb4 text, UTC timestamps, permissive dates, backslash escapes on,
        // explicit zeros kept in AUTO_INCREMENT columns, no check on load order
        + "SET NAMES utf8mb4;\n"
        + "SET TIME_ZONE = '+00:00';\n"
        + "SET SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO';\n"
        + "SET FOREIGN_KEY_CHECKS = 0;\n"
        + "SET UNIQUE_CHECKS = 0;\n"
        + "SET SQL_NOTES = 0;\n";
  }

  private void dumpTableDefinitions(Connection c, List<String> tables, OutputStream out)
      throws SQLException, IOException {
    // sequences first: a column default may take NEXT VALUE FOR one of them
    List<String> ordered = new ArrayList<>();
    tables.stream().filter(this::isSequence).forEach(ordered::add);
    tables.stream().filter(t -> !isSequence(t)).forEach(ordered::add);
    for (String t : ordered) {
      boolean sequence = isSequence(t);
      String ddl = showCreate(c, t, sequence);
      write(out, DumpDirectives.line(DumpDirectives.TABLE, DumpDirectives.json(t)));
      write(
          out,
          (sequence ? "DROP SEQUENCE IF EXISTS " : "DROP TABLE IF EXISTS ")
              + SqlText.quoteIdent(t)
              + ";\n"
              + ddl
              + ";\n");
    }
  }

  /** The table's or sequence's definition as the server writes it, for this database. */
  private String showCreate(Connection c, String table, boolean sequence) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                (sequence ? "SHOW CREATE SEQUENCE " : "SHOW CREATE TABLE ") + qualified(table))) {
      rs.next();
      return unqualifySequences(rs.getString(2));
    }
  }

  /**
   * A sequence's state: the next value it will hand out, and its cycle round. Returns the bytes of
   * SQL written.
   */
  private long dumpSequenceValue(Connection c, String sequence, OutputStream out)
      throws SQLException, IOException {
    String next;
    String round;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT next_not_cached_value, cycle_count FROM " + qualified(sequence))) {
      rs.next();
      next = rs.getString(1);
      round = rs.getString(2);
    }
    write(out, DumpDirectives.line(DumpDirectives.TABLE, DumpDirectives.json(sequence)));
    String setval =
        "DO SETVAL(" + SqlText.quoteIdent(sequence) + ", " + next + ", 0, " + round + ");\n";
    write(out, setval);
    return setval.length();
  }

  /**
   * MariaDB writes a default of {@code NEXT VALUE FOR seq} as {@code nextval(`db`.`seq`)}: left so,
   * the restored table would draw numbers from the source database's sequence. References to this
   * database's sequences lose the database name; those to other databases stay.
   */
  private String unqualifySequences(String ddl) {
    return ddl.replaceAll(
        "(?i)\\b(nextval|lastval|setval)\\(" + Pattern.quote(SqlText.quoteIdent(database) + "."),
        "$1(");
  }

  private record Column(String name, ColumnKind kind) {}

  /**
   * A column as {@code information_schema.COLUMNS} describes it: beside what the dump reads it by,
   * what decides which values it holds (the full type with its length, precision, sign and ENUM or
   * SET members; nullability; character set and collation). Its equals and hashCode are written
   * out: a record's generated ones are bootstrapped at run time into method-handle trees, which
   * spin dozens of classes on their first call (the check that no column changed during the
   * backup), in every backup.
   */
  private record ColumnInfo(
      String name,
      String dataType,
      String extra,
      String generation,
      String columnType,
      String nullable,
      String charset,
      String collation) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ColumnInfo c
          && Objects.equals(name, c.name)
          && Objects.equals(dataType, c.dataType)
          && Objects.equals(extra, c.extra)
          && Objects.equals(generation, c.generation)
          && Objects.equals(columnType, c.columnType)
          && Objects.equals(nullable, c.nullable)
          && Objects.equals(charset, c.charset)
          && Objects.equals(collation, c.collation);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          name, dataType, extra, generation, columnType, nullable, charset, collation);
    }
  }

  /**
   * Every table's columns in their order, and its unique keys (primary key included) as sorted
   * {@code key/position/column/prefix} parts: what its rows depend on.
   */
  private record Definitions(
      Map<String, List<ColumnInfo>> columns, Map<String, List<String>> uniqueKeys) {}

  /**
   * The {@link Definitions} of every table, in one query: asked table by table, they cost the
   * readers a round trip each, and the server an {@code information_schema} lookup each.
   */
  private Definitions definitions(Connection c) throws SQLException {
    Map<String, List<ColumnInfo>> columns = new java.util.HashMap<>();
    Map<String, List<String>> uniqueKeys = new java.util.HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 0, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, DATA_TYPE, EXTRA,"
                + " GENERATION_EXPRESSION, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME,"
                + " COLLATION_NAME"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
                + " UNION ALL"
                + " SELECT 1, TABLE_NAME, SEQ_IN_INDEX, INDEX_NAME, COLUMN_NAME,"
                + " CAST(SUB_PART AS CHAR), NULL, NULL, NULL, NULL, NULL"
                + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0"
                + " ORDER BY 1, 2, 3")) {
      ps.setString(1, database);
      ps.setString(2, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(2);
          if (rs.getInt(1) == 1) {
            uniqueKeys
                .computeIfAbsent(table, t -> new ArrayList<>())
                .add(
                    rs.getString(4)
                        + "/"
                        + rs.getString(3)
                        + "/"
                        + rs.getString(5)
                        + "/"
                        + rs.getString(6));
            continue;
          }
          columns
              .computeIfAbsent(table, t -> new ArrayList<>())
              .add(
                  new ColumnInfo(
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(6) == null ? "" : rs.getString(6).toUpperCase(Locale.ROOT),
                      rs.getString(7) == null ? "" : rs.getString(7),
                      rs.getString(8),
                      rs.getString(9),
                      rs.getString(10),
                      rs.getString(11)));
        }
      }
    }
    uniqueKeys.values().forEach(java.util.Collections::sort);
    return new Definitions(columns, uniqueKeys);
  }

  /**
   * Fails the backup if a dumped table's columns or unique keys changed while it ran. The snapshot
   * keeps a table's rows as they were, not its definition: an ALTER TABLE between the start of the
   * snapshot and the reading of the definitions gives a dump whose CREATE TABLE does not fit its
   * rows (a column the INSERTs do not name, a VARCHAR too short for them, a unique key they break),
   * a backup that cannot be restored, or restores different values. mysqldump has the same gap;
   * here it fails loudly. A change that does not decide the rows' values (a default, an index that
   * is not unique, a comment) is not one.
   */
  private void requireSameDefinitions(Connection c, List<String> tables, Definitions before)
      throws SQLException {
    Definitions now = definitions(c);
    for (String t : tables) {
      if (!Objects.equals(before.columns().get(t), now.columns().get(t))
          || !Objects.equals(before.uniqueKeys().get(t), now.uniqueKeys().get(t))) {
        throw altered(t);
      }
    }
  }

  /** The failure of a backup during which {@code table} was altered. */
  private static io.backydb.BackyException altered(String table) {
    return new io.backydb.BackyException(
        io.backydb.ErrorCode.DATABASE,
        "table "
            + SqlText.quoteIdent(table)
            + " was altered while it was being backed up (its columns or unique keys changed);"
            + " nothing was stored: run the backup again");
  }

  /**
   * The columns a restore inserts: all but generated ones, which the server computes again. For a
   * system-versioned table whose history can be restored, its ROW START and ROW END columns too
   * (the implicit {@code row_start} and {@code row_end} where the table does not name them).
   */
  private static List<Column> insertableColumns(List<ColumnInfo> columns, boolean history) {
    List<Column> cols = new ArrayList<>();
    List<Column> period = new ArrayList<>();
    for (ColumnInfo info : columns) {
      Column col = new Column(info.name(), ColumnKind.of(info.dataType()));
      if (info.generation().equals("ROW START") || info.generation().equals("ROW END")) {
        period.add(col);
        continue;
      }
      if (info.extra().contains("VIRTUAL GENERATED")
          || info.extra().contains("STORED GENERATED")
          || info.extra().contains("PERSISTENT GENERATED")) {
        continue;
      }
      cols.add(col);
    }
    if (history) {
      if (period.isEmpty()) {
        period.add(new Column("row_start", ColumnKind.STRING));
        period.add(new Column("row_end", ColumnKind.STRING));
      }
      cols.addAll(period);
    }
    return cols;
  }

  /**
   * Whether the history of a system-versioned table is dumped: where the server lets a restore
   * insert it (MariaDB 10.11+) and the table is versioned by timestamps (not by transaction ids,
   * which cannot be inserted). The implicit period columns are not in {@code information_schema};
   * they are timestamps.
   */
  private boolean dumpsHistory(String table, List<ColumnInfo> columns) {
    if (!historyInsertable || !isVersioned(table)) {
      return false;
    }
    return columns.stream()
        .filter(col -> col.generation().equals("ROW START"))
        .allMatch(col -> col.dataType().toLowerCase(Locale.ROOT).contains("timestamp"));
  }

  /**
   * Writes the rows of {@code table} that match {@code where} (all when empty). The first range
   * writes the table's directive, the last one closes it.
   */
  private void dumpTableData(
      Connection c,
      SqlText sql,
      TableProgress tp,
      String where,
      boolean first,
      boolean last,
      OutputStream out)
      throws SQLException, IOException {
    String table = tp.table;
    Shape shape = tp.shape;
    boolean history = shape.history();
    List<Column> cols = shape.columns();
    ProgressListener progress = request.progress();
    if (first) {
      write(out, DumpDirectives.line(DumpDirectives.TABLE, DumpDirectives.json(table)));
    }
    if (first) {
      long estimate = estimatedRows.getOrDefault(table, -1L);
      if (estimate >= 0) {
        write(out, DumpDirectives.line(DumpDirectives.ROWS, String.valueOf(estimate)));
      }
      if (!request.features().tables()) {
        // nothing else in the backup tells the types, collations and unique keys of the rows, which
        // a restore into the existing table checks before the first statement: information only,
        // a comment to every client, never run (the server's current definition, which the snapshot
        // does not keep: the check at the end fails the backup if it changed since the snapshot
        // began)
        write(
            out,
            DumpDirectives.line(
                DumpDirectives.DEFINITION, DumpDirectives.json(showCreate(c, table, false))));
      }
      progress.tableStarted(table, estimate);
      if (history) {
        write(out, HISTORY_ON);
      }
    }
    StringBuilder select = new StringBuilder("SELECT ");
    StringBuilder prefix =
        new StringBuilder("INSERT INTO ").append(SqlText.quoteIdent(table)).append(" (");
    for (int i = 0; i < cols.size(); i++) {
      Column col = cols.get(i);
      if (i > 0) {
        select.append(", ");
        prefix.append(',');
      }
      select.append(SqlText.quoteIdent(col.name()));
      if (col.kind() == ColumnKind.FLOAT) {
        select.append(" + 0e0");
      }
      if (col.kind() == ColumnKind.ENUM) {
        select.append(", ").append(SqlText.quoteIdent(col.name())).append(" + 0 = 0");
      }
      prefix.append(SqlText.quoteIdent(col.name()));
    }
    if (cols.isEmpty()) {
      // every column is generated: the rows are still there, as `INSERT INTO t () VALUES (),()`
      select.append('1');
    }
    select.append(" FROM ").append(qualified(table));
    if (history) {
      select.append(" FOR SYSTEM_TIME ALL");
    }
    if (!where.isEmpty()) {
      select.append(" WHERE ").append(where);
    }
    prefix.append(") VALUES\n");
    byte[] insertPrefix = prefix.toString().getBytes(StandardCharsets.UTF_8);

    // in select order: an ENUM's error flag follows it
    ColumnKind[] kinds =
        cols.stream()
            .flatMap(
                col ->
                    col.kind() == ColumnKind.ENUM
                        ? java.util.stream.Stream.of(ColumnKind.ENUM, ColumnKind.ENUM_ERROR)
                        : java.util.stream.Stream.of(col.kind()))
            .toArray(ColumnKind[]::new);
    long[] written;
    try (RowCursor rows = RowCursor.query(c, select.toString())) {
      written = new InsertStatements(insertPrefix, kinds, sql, out).write(rows, table, progress);
    }
    long rows = written[0];
    long bytes = written[1];
    tp.rows.addAndGet(rows);
    tp.bytes.addAndGet(bytes);
    if (last && history) {
      write(out, HISTORY_OFF);
    }
    if (tp.remainingParts.decrementAndGet() == 0) {
      progress.tableFinished(table);
    }
  }

  private String qualified(String table) {
    return SqlText.quoteIdent(database) + "." + SqlText.quoteIdent(table);
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
