package io.backydb.engine.mysql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.UserWarnings;
import io.backydb.config.Feature;
import io.backydb.engine.ApplySummary;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import io.backydb.engine.DumpContents.ObjectName;
import io.backydb.engine.DumpInput;
import io.backydb.engine.TableStats;
import io.backydb.engine.sql.SqlSplitter;
import io.backydb.engine.sql.StatementSink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a dump to a MySQL/MariaDB database statement by statement. The {@code -- backy:}
 * directives in the dump tell it which feature and table each statement belongs to, so a restore
 * can be limited to chosen features and tables, and a failure can say exactly what was applied.
 */
final class MySqlApplier {

  private static final Logger LOG = LoggerFactory.getLogger(MySqlApplier.class);

  /** ER_DBACCESS_DENIED: what CREATE DATABASE answers an account without the privilege. */
  private static final int ER_DBACCESS_DENIED = 1044;

  /** ER_TABLEACCESS_DENIED_ERROR: what CREATE TABLE answers an account without the privilege. */
  private static final int ER_TABLEACCESS_DENIED = 1142;

  private final MySqlConnections connections;
  private final ApplyRequest request;
  private final String database;
  private final Definers definers;

  /** What the account may do, as {@link #apply} found before its first statement. */
  private RestorePrivileges privileges;

  /**
   * Per table the restore loads rows into without creating it, the target's unique keys the
   * backup's table has no key for, by name ({@link ExistingTables.Differences#uncoveredKeys}).
   */
  private Map<String, Map<String, String>> uncoveredKeys = Map.of();

  MySqlApplier(MySqlConnections connections, ApplyRequest request) {
    this.connections = connections;
    this.request = request;
    this.database = connections.config().dbName();
    // statements are read as raw bytes (see apply), so a rewritten definer goes in as bytes too
    this.definers = Definers.of(connections.config()).forRawText();
  }

  /**
   * Refuses to touch a database that already holds tables unless replacing was asked for, one the
   * account cannot see at all (it would find no tables there, and fail at its first statement), and
   * one that is missing and that the account may not create: the restore's first step, so the user
   * learns it before the backup is read and verified, which can take minutes.
   */
  void checkTarget() throws SQLException {
    try (Connection c = connections.open()) {
      if (!databaseExists(c)) {
        UnlistedDatabase unlisted = UnlistedDatabase.of(c, database);
        if (unlisted == UnlistedDatabase.HIDDEN) {
          throw UnlistedDatabase.hidden(c, database, connections, "restore into");
        }
        if (unlisted == UnlistedDatabase.MISSING && !mayCreateDatabase(c)) {
          throw mayNotCreate(c, "it has no CREATE privilege on it", null);
        }
      }
      int tables = countTables(c);
      if (tables > 0 && !request.replaceExisting()) {
        throw new BackyException(
            ErrorCode.REFUSED,
            "database '"
                + database
                + "' on "
                + connections.describe()
                + " already has "
                + tables
                + " table(s); restore refuses to overwrite it unless the restore config sets"
                + " replace_existing: true (CLI: --replace-existing)");
      }
    }
  }

  /**
   * Whether the account may create the missing target database, asked of the server without
   * creating anything: {@code CREATE TABLE} of a table in it that declares a column twice. The
   * server checks the CREATE privilege on the database first, as it would for {@code CREATE
   * DATABASE} (global, on a name or a pattern such as {@code shop\_%}, or through a role: its own
   * rules, not a reading of SHOW GRANTS), and only then finds the database missing or the column
   * twice, so the statement fails either way. Anything but "denied" counts as allowed: {@code
   * CREATE DATABASE} itself still answers for a server that checks otherwise.
   */
  private boolean mayCreateDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + SqlText.quoteIdent(database)
              + ".`backy_privilege_probe` (`a` INT, `a` INT)");
      return true; // cannot happen: the column is there twice
    } catch (SQLException e) {
      return e.getErrorCode() != ER_TABLEACCESS_DENIED && e.getErrorCode() != ER_DBACCESS_DENIED;
    }
  }

  /**
   * The target does not exist and the account on {@code c} may not create it ({@code why}): found
   * before anything was applied. Names the account as the server matched it (never a password).
   */
  private BackyException mayNotCreate(Connection c, String why, SQLException cause)
      throws SQLException {
    return new BackyException(
        ErrorCode.DATABASE,
        "database '"
            + database
            + "' does not exist on "
            + connections.config().host()
            + ":"
            + connections.config().port()
            + ", and user "
            + UnlistedDatabase.currentUser(c)
            + " may not create it ("
            + why
            + "): create it, or grant the account the CREATE privilege on "
            + SqlText.quoteIdent(database)
            + ".*; nothing was applied",
        cause);
  }

  private int countTables(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * InnoDB tables with a primary key: they store rows in key order, whatever order they were
   * inserted in, so their INSERTs can run on several connections at once.
   */
  private Set<String> anyOrderTables(Connection c) throws SQLException {
    return Set.copyOf(
        Queries.column(
            c,
            "SELECT t.TABLE_NAME FROM information_schema.TABLES t"
                + " WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'"
                + " AND EXISTS (SELECT 1 FROM information_schema.STATISTICS k"
                + "  WHERE k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME"
                + "  AND k.INDEX_NAME = 'PRIMARY')",
            database));
  }

  /** Tables whose rows LOAD DATA reads exactly as their INSERTs: see {@link LocalRowsLoader}. */
  private Set<String> localRowsTables(Connection c) throws SQLException {
    return Set.copyOf(Queries.column(c, LocalRowsLoader.QUALIFYING_TABLES, database));
  }

  private boolean databaseExists(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Applies the dump's files in order. A dump is bytes (UTF-8 text, and raw bytes inside binary
   * literals), so it is read as ISO-8859-1, one char per byte, and its statements run on
   * connections that send each char back as that byte ({@link MySqlConnections#openRaw}): the
   * server receives the dump exactly. Metadata queries and DDL of BackyDB's own run on an ordinary
   * connection.
   */
  ApplySummary apply(DumpInput input) throws Exception {
    Set<Long> connectionIds = ConcurrentHashMap.newKeySet();
    try (Connection c = connections.open();
        Connection raw = connections.openRaw();
        LockWaits waits = new LockWaits(connections, connectionIds)) {
      // before the database is created, or anything read of the dump: a refusal changes nothing;
      // the server's state first: read-only mode stops an account whatever its privileges
      TargetPreflight.check(c, connections, request);
      privileges = requirePrivileges(c);
      List<String> insertTriggers = requireTargetTables(c);
      // warned of once nothing refuses the restore, before its first statement
      List<String> engineSubstitutes = MissingEngines.warn(c, request);
      connectionIds.add(LockWaits.idOf(c));
      connectionIds.add(LockWaits.idOf(raw));
      // a restore that stops making progress shows what it waits for (a lock), not an ETA
      request.progress().waitProbe(waits);
      Session session = new Session(c, raw, connectionIds);
      try {
        DumpInput.DumpFile file;
        while ((file = input.next()) != null) {
          session.file = file.name();
          session.complete = false;
          session.feature = null;
          session.table = null;
          try {
            try (java.io.InputStream content = file.content()) {
              SqlSplitter.split(
                  new BufferedReader(
                      new InputStreamReader(content, StandardCharsets.ISO_8859_1), 1 << 16),
                  session);
            }
            session.endOfData();
          } catch (InterruptedIOException | InterruptedException e) {
            // stopped while reading the dump or waiting for the data connections
            throw session.interrupted(session.where(file.name()), e);
          }
          if (!session.complete) {
            throw new BackyException(
                ErrorCode.CORRUPT_BACKUP,
                "dump file " + file.name() + " is truncated (no completion marker)");
          }
        }
      } finally {
        request.progress().waitProbe(null);
        if (session.inserts != null) {
          session.inserts.close();
        }
      }
      session.ensureDatabase(null, null);
      List<TableStats> loaded = new ArrayList<>();
      session.rowsLoaded.forEach((t, n) -> loaded.add(new TableStats(t, n, 0)));
      return new ApplySummary(
          session.statements,
          List.copyOf(session.featuresApplied),
          List.copyOf(loaded),
          List.copyOf(session.leftOut),
          notInBackup(session.sections),
          insertTriggers,
          engineSubstitutes);
    }
  }

  /**
   * Refuses a restore whose account lacks a privilege its statements need ({@link
   * RestorePrivileges}), before anything is applied. What it applies is known where the restore
   * read the dump ({@link ApplyRequest#contents()}); without it, nothing is checked beforehand.
   */
  private RestorePrivileges requirePrivileges(Connection c) throws SQLException {
    RestorePrivileges privileges =
        RestorePrivileges.of(
            c, database, connections.config().host() + ":" + connections.config().port());
    DumpContents contents = request.contents();
    if (contents == null) {
      return privileges;
    }
    Set<Feature> features = EnumSet.noneOf(Feature.class);
    Map<Feature, Set<String>> tables = new EnumMap<>(Feature.class);
    Map<Feature, Set<String>> definers = new EnumMap<>(Feature.class);
    Definers policy = Definers.of(connections.config());
    for (Feature f : contents.features()) {
      if (!request.applies(f) || (!request.tables().isEmpty() && !ApplyRequest.ofTables(f))) {
        continue; // a restore limited to tables leaves views, routines and events out
      }
      Set<String> of = request.selectedOf(contents.tablesOf(f));
      if (ApplyRequest.ofTables(f) && of.isEmpty()) {
        continue; // none of the selected tables has statements of the feature
      }
      features.add(f);
      tables.put(f, of);
      if (!ApplyRequest.ofTables(f) || f == Feature.TRIGGERS) {
        Set<String> dumped = contents.definersOf(f, of);
        Set<String> effective = new TreeSet<>();
        for (String d : policy.keeps() ? dumped : Set.of("")) {
          String e = policy.effective(d); // null where the restoring user becomes the definer
          if (e != null) {
            effective.add(e);
          }
        }
        definers.put(f, effective);
      }
    }
    Map<String, List<String>> emptied = new TreeMap<>();
    if (features.contains(Feature.DATA)) {
      Set<String> loaded = new TreeSet<>(tables.get(Feature.DATA));
      if (features.contains(Feature.TABLES)) {
        loaded.removeAll(tables.get(Feature.TABLES));
      }
      ExistingTables existing = ExistingTables.of(c, database);
      for (String t : loaded) {
        emptied.put(t, existing.emptyingPrivileges(t));
      }
    }
    // a view of another database restored into the one it reads: those are the target's own
    Set<String> viewReads = new TreeSet<>(contents.viewReads());
    Map<String, Set<ObjectName>> otherReads = new TreeMap<>();
    contents
        .otherDatabaseReads()
        .forEach(
            (view, names) -> {
              for (ObjectName o : names) {
                if (o.database().equals(database)) {
                  viewReads.add(o.name());
                } else {
                  otherReads.computeIfAbsent(view, v -> new TreeSet<>()).add(o);
                }
              }
            });
    privileges.check(
        features,
        tables,
        emptied,
        viewReads,
        otherReads,
        definers,
        policy.keeps() ? "database.definers: drop or rewrite" : "database.definers: drop");
    return privileges;
  }

  /**
   * The features the request names that the dump has no section for (the backup was made without
   * them): a restore of the others says it did not find them.
   */
  private List<String> notInBackup(Set<Feature> sections) {
    if (request.features() == null) {
      return List.of();
    }
    return request.features().selected().stream()
        .filter(f -> !sections.contains(f))
        .map(Feature::key)
        .toList();
  }

  /**
   * Refuses, before anything is applied (the database is not even created), a restore that would
   * load rows or create triggers in tables that it does not create and that the target lacks: it
   * would otherwise fail at the first of them, after the rows of others were committed. Known only
   * where the restore read what the dump holds ({@link ApplyRequest#contents()}), which its verify
   * pass does.
   *
   * <p>Of the tables it loads rows into, those with INSERT triggers are named in a warning: the
   * triggers fire for every restored row, and MariaDB cannot turn them off for a session.
   *
   * @return the INSERT triggers of those tables ({@link ExistingTables#insertTriggers}), or none
   */
  private List<String> requireTargetTables(Connection c) throws SQLException {
    DumpContents contents = request.contents();
    if (contents == null) {
      return List.of();
    }
    Set<String> needed = new TreeSet<>();
    for (Feature f : List.of(Feature.DATA, Feature.TRIGGERS)) {
      if (request.applies(f)) {
        needed.addAll(request.selectedOf(contents.tablesOf(f)));
      }
    }
    if (request.applies(Feature.TABLES)) {
      needed.removeAll(contents.tablesOf(Feature.TABLES));
    }
    if (needed.isEmpty()) {
      return List.of();
    }
    String why =
        request.applies(Feature.TABLES)
            ? "the backup holds no CREATE TABLE statements"
            : "its features leave the table definitions out";
    if (!databaseExists(c)) {
      // checkTarget found the account may see it: it is missing, not hidden
      throw new BackyException(
          ErrorCode.CONFIG,
          "database '"
              + database
              + "' does not exist on "
              + connections.describe()
              + ", and this restore creates no tables ("
              + why
              + ") for the backup's rows or triggers of "
              + (needed.size() <= 20
                  ? SqlText.quoteIdents(needed)
                  : SqlText.quoteIdents(needed.stream().limit(20).toList()) + ", ...")
              + ": create the database and its tables, or restore table definitions too; nothing"
              + " was applied");
    }
    ExistingTables existing = ExistingTables.of(c, database);
    Set<String> missing = existing.missing(needed);
    if (!missing.isEmpty()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          targetDatabase()
              + " has no table "
              + SqlText.quoteIdents(missing)
              + " for the backup's rows or triggers, and this restore creates no tables ("
              + why
              + "): create them, or restore table definitions too; nothing was applied");
    }
    // the rows go into tables as they are: an INSERT naming a column one lacks would fail after
    // the tables before it were loaded, and a value a column's type cannot hold would be changed
    Map<String, List<String>> rowColumns = new TreeMap<>();
    if (request.applies(Feature.DATA)) {
      contents
          .rowColumns()
          .forEach(
              (t, cols) -> {
                if (needed.contains(t)) {
                  rowColumns.put(t, cols);
                }
              });
    }
    ExistingTables.Differences differences =
        existing.columnDifferences(
            c, database, rowColumns, contents.definedColumns(), contents.uniqueKeys());
    if (!differences.refused().isEmpty()) {
      List<String> tables = new ArrayList<>();
      differences
          .refused()
          .forEach((t, d) -> tables.add("table " + SqlText.quoteIdent(t) + " " + d));
      throw new BackyException(
          ErrorCode.CONFIG,
          targetDatabase()
              + " does not have the columns of the backup's rows, and this restore creates no"
              + " tables ("
              + why
              + "): "
              + String.join("; ", tables)
              + "; make its tables match the backup's, or restore table definitions too; nothing"
              + " was applied");
    }
    uncoveredKeys = differences.uncoveredKeys();
    if (!uncoveredKeys.isEmpty()) {
      // only the rows tell whether they hold such a key: said before the first row, as a failure
      // at a duplicate would come after the table was emptied
      LOG.warn(
          UserWarnings.STDERR,
          "restoring rows into existing tables with unique keys the backup's tables lack; a"
              + " duplicate among the rows would stop the restore at that table, after it was"
              + " emptied: {}",
          String.join(", ", differences.uncoveredKeyPhrases()));
    }
    if (rowColumns.isEmpty()) {
      return List.of();
    }
    // said before the first row: the user may stop the restore, and the rows may come back changed
    List<String> triggers = ExistingTables.insertTriggers(c, database, rowColumns.keySet());
    if (!triggers.isEmpty()) {
      LOG.warn(
          UserWarnings.STDERR,
          "restoring rows into existing tables with INSERT triggers, which fire for every row"
              + " and may change it or write to other tables: {}",
          String.join(", ", triggers));
    }
    return triggers;
  }

  /** {@code database 'x' on user@host:port}, for errors about the target. */
  private String targetDatabase() {
    return "database '" + database + "' on " + connections.describe();
  }

  /** Follows the dump's directives and runs the statements that the request selects. */
  private final class Session implements StatementSink {
    private final Connection connection;

    /**
     * Created once the target database is selected: Connector/J binds a statement to the database
     * current at its creation.
     */
    private Statement statement;

    private boolean databaseReady;
    private Feature feature;
    private String table;
    private String file;
    private boolean complete;

    /** The exact text of the next statement, from a {@code -- backy:exact} directive. */
    private String exact;

    private long statements;

    /**
     * Whether the dump says it is BackyDB's (its format directive): one that does not, a dump of
     * another tool's ending with the completion marker, has no feature directives either.
     */
    private boolean backyDump;

    private final Set<String> featuresApplied = new LinkedHashSet<>();

    /**
     * What the statement being run is about, where the dump has no directive telling its feature
     * and table ({@link #statement}); null between statements.
     */
    private StatementSubject subject;

    /** Tables whose definitions this restore ran (dropped and created them). */
    private final Set<String> created = new HashSet<>();

    /** The target's tables as the data section began: those not created are emptied. */
    private ExistingTables existing;

    /** The features the dump has a section for, with statements or not. */
    private final Set<Feature> sections = EnumSet.noneOf(Feature.class);

    /** Features the dump has statements for that a restore limited to tables left out. */
    private final Set<String> leftOut = new LinkedHashSet<>();

    private final Map<String, Long> rowsLoaded = new LinkedHashMap<>();

    /** The dump header's session statements, which every data connection runs first. */
    private final Set<String> sessionSetup = new LinkedHashSet<>();

    /** The data connections, opened at the first data statement. */
    private ParallelInserts inserts;

    /** Tables of the target whose rows may be inserted in any order, from several connections. */
    private Set<String> anyOrderTables = Set.of();

    /** Tables whose data statements may run as LOAD DATA ({@link LocalRowsLoader}). */
    private Set<String> localRowsTables = Set.of();

    /** The server's limit on one statement; a larger one would only fail with a cryptic error. */
    private long maxPacket = -1;

    /** Runs the dump's own statements, byte for byte. */
    private final Connection raw;

    /** The server's ids of the restore's sessions, the data connections' added once opened. */
    private final Set<Long> connectionIds;

    Session(Connection c, Connection raw, Set<Long> connectionIds) {
      this.connection = c;
      this.raw = raw;
      this.connectionIds = connectionIds;
    }

    private void checkPacketSize(String sql, long line) throws SQLException {
      if (maxPacket < 0) {
        try (Statement s = connection.createStatement();
            ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet")) {
          rs.next();
          maxPacket = rs.getLong(1);
        }
      }
      long bytes = sql.length(); // one char per byte of the dump
      if (bytes > maxPacket - 1024) {
        throw new BackyException(
            ErrorCode.DATABASE,
            "restore failed at "
                + where(line)
                + ": the statement is "
                + bytes
                + " bytes, more than the target server's max_allowed_packet ("
                + maxPacket
                + "); raise it (SET GLOBAL max_allowed_packet = "
                + ((bytes / (1 << 20)) + 2)
                + " * 1024 * 1024) and restore again with --replace-existing; "
                + appliedSoFar(false));
      }
    }

    void ensureDatabase(String charset, String collation) throws SQLException {
      if (databaseReady) {
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw interrupted(file, null); // stopped before the database was touched
      }
      if (!databaseExists(connection)) {
        String ddl = "CREATE DATABASE " + SqlText.quoteIdent(database);
        if (charset != null && charset.matches("[A-Za-z0-9_]+")) {
          ddl += " CHARACTER SET " + charset;
        }
        if (collation != null && collation.matches("[A-Za-z0-9_]+")) {
          ddl += " COLLATE " + collation;
        }
        try (Statement create = connection.createStatement()) {
          create.execute(ddl);
        } catch (SQLException e) {
          if (e.getErrorCode() == ER_DBACCESS_DENIED) {
            // checkTarget found it may: its privileges changed since, or the server checks
            // otherwise
            throw mayNotCreate(connection, MySqlConnections.firstLine(e), e);
          }
          throw e;
        }
      }
      connection.setCatalog(database);
      raw.setCatalog(DumpDirectives.encodeRaw(database));
      statement = raw.createStatement();
      // the dump is SQL for the server: no JDBC {escape} rewriting inside routine bodies
      statement.setEscapeProcessing(false);
      databaseReady = true;
    }

    @Override
    public void directive(String text, long line) throws Exception {
      try {
        followDirective(text, line);
      } catch (InterruptedException e) {
        // stopped while waiting for the data connections (a big table's index build, say)
        throw interrupted(where(line), e);
      }
    }

    private void followDirective(String text, long line) throws Exception {
      int sp = text.indexOf(' ');
      String name = sp < 0 ? text : text.substring(0, sp);
      String value = sp < 0 ? "" : text.substring(sp + 1).trim();
      switch (name) {
        case DumpDirectives.DATABASE -> {
          String[] parts = value.split(" ", 2);
          ensureDatabase(
              DumpDirectives.decodeRaw(DumpDirectives.unjson(parts[0])),
              parts.length > 1 ? DumpDirectives.decodeRaw(DumpDirectives.unjson(parts[1])) : null);
        }
        case DumpDirectives.SECTION -> {
          endOfData();
          feature = Feature.ofKey(value);
          sections.add(feature);
          table = null;
          if (feature == Feature.DATA && selected()) {
            ensureDatabase(null, null);
            anyOrderTables = anyOrderTables(connection);
            localRowsTables = localRowsTables(connection);
            existing = ExistingTables.of(connection, database);
          }
        }
        case DumpDirectives.TABLE -> {
          finishTable();
          table = DumpDirectives.decodeRaw(DumpDirectives.unjson(value));
          if (feature == Feature.TABLES && selected()) {
            created.add(table);
          }
          if (feature == Feature.DATA) {
            rowsOf = selected() ? table : null;
            if (rowsOf != null) {
              request.progress().tableStarted(table, -1);
              if (!created.contains(table)) {
                // a table this restore did not create had rows before (it was there, so replacing
                // was asked for): the backup's rows replace them, not add to them
                emptyBeforeItsRows(line);
              }
            }
            if (inserts != null) {
              inserts.beginTable(anyOrderTables.contains(table));
            }
          }
        }
        case DumpDirectives.ROWS -> {
          if (feature == Feature.DATA && table != null && selected()) {
            // the dump's estimate of the table's rows, for the progress line
            request.progress().tableStarted(table, parseRows(value));
            ensureDatabase(null, null);
            // ALTER TABLE drops and adds them: an account without ALTER loads with the indexes
            addIndexes =
                privileges.has("ALTER", table)
                    ? DeferredIndexes.dropForLoad(connection, database, table, parseRows(value))
                    : null;
            indexedTable = table;
            if (addIndexes != null) {
              indexesDropped.add(table);
            }
          }
        }
        case DumpDirectives.EXACT -> exact = DumpDirectives.unjson(value); // raw, like the dump
        case DumpDirectives.FORMAT -> {
          checkFormat(value);
          backyDump = true;
        }
        case DumpDirectives.COMPLETE -> {
          endOfData();
          complete = true;
        }
        default -> {
          // directives of later format versions that this one can ignore
        }
      }
    }

    private boolean selected() {
      // feature null: the session header
      return feature == null || request.selects(feature, table);
    }

    /**
     * Whether the statement not selected is one a restore limited to tables leaves out although its
     * feature was asked for: a view, routine or event, which belongs to no one table. Such objects
     * may use tables left out (a view of one fails to be created), and replacing them would change
     * more than the tables asked for; the summary says they were left out.
     */
    private boolean leftOutByTables() {
      return feature != null
          && !request.tables().isEmpty()
          && !ApplyRequest.ofTables(feature)
          && request.applies(feature);
    }

    @Override
    public void statement(String sql, long line) throws Exception {
      // a dump without directives (another tool's) says nothing of its statements: a failure says
      // what the statement itself is about
      subject = feature == null ? StatementSubject.ofRaw(sql) : null;
      try {
        run(sql, line);
      } finally {
        subject = null;
      }
    }

    private void run(String sql, long line) throws Exception {
      if (Thread.currentThread().isInterrupted()) {
        // a stop request: JDBC calls do not notice it, so no further statement runs
        throw interrupted(where(line), null);
      }
      ensureDatabase(null, null);
      if (exact != null) {
        sql = exact;
        exact = null;
      }
      if (!selected()) {
        if (leftOutByTables()) {
          leftOut.add(feature.key());
        }
        return;
      }
      if (feature != null && feature != Feature.TABLES && feature != Feature.DATA) {
        sql = definers.apply(sql);
      }
      checkPacketSize(sql, line);
      if (feature == null) {
        sessionSetup.add(sql);
      } else if (feature == Feature.DATA) {
        submitData(sql, line);
        return;
      }
      try {
        statement.execute(sql);
        int updated = statement.getUpdateCount();
        if (feature == Feature.DATA && table != null && updated > 0) {
          rowsLoaded.merge(table, (long) updated, Long::sum);
          request.progress().rows(table, updated, sql.length());
        }
      } catch (SQLException e) {
        String of = table != null || subject == null ? table : subject.table();
        throw new BackyException(ErrorCode.DATABASE, failedAt(where(line), of, e, false), e);
      }
      if (subject != null && subject.verb().equals("CREATE") && subject.table() != null) {
        created.add(subject.table()); // its rows' keys are the dump's own
      }
      statements++;
      if (feature != null) {
        featuresApplied.add(feature.key());
      }
    }

    /** Empties the table whose rows follow, before the first is loaded ({@link ExistingTables}). */
    private void emptyBeforeItsRows(long line) {
      try {
        existing.empty(connection, table);
      } catch (SQLException e) {
        throw new BackyException(
            ErrorCode.DATABASE,
            "restore failed at "
                + where(line)
                + " while emptying the table for the backup's rows: "
                + MySqlConnections.reason(e)
                + "; "
                + appliedSoFar(inserts != null),
            e);
      }
      featuresApplied.add(Feature.DATA.key());
    }

    /** Hands a data statement to the data connections; they report failures in order. */
    private void submitData(String sql, long line) throws Exception {
      if (inserts == null) {
        inserts =
            new ParallelInserts(
                connections,
                database,
                List.copyOf(sessionSetup),
                connections.config().threads(),
                // LOAD DATA reads its rows as utf8mb4, as the dump's header says its text is
                sessionSetup.contains("SET NAMES utf8mb4") ? localRowsTables : Set.of(),
                rowsLoaded,
                request.progress());
        connectionIds.addAll(inserts.connectionIds());
        inserts.beginTable(table == null || anyOrderTables.contains(table));
      }
      throwIfFailed();
      try {
        inserts.submit(table, sql, where(line));
      } catch (InterruptedException e) {
        throw interrupted(where(line), e);
      }
      throwIfFailed();
      statements++;
      featuresApplied.add(feature.key());
    }

    private void checkFormat(String value) {
      int version;
      try {
        version = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP, "dump file " + file + " has a malformed format line");
      }
      if (version > DumpDirectives.DUMP_FORMAT) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            "dump file "
                + file
                + " is in dump format "
                + version
                + ", newer than this BackyDB reads ("
                + DumpDirectives.DUMP_FORMAT
                + "); restore it with a newer BackyDB");
      }
    }

    /**
     * Tables whose secondary indexes {@link DeferredIndexes} dropped and that this thread has not
     * built again itself (a lane may have: see {@link #appliedSoFar}).
     */
    private final Set<String> indexesDropped = new LinkedHashSet<>();

    /**
     * What a failed or stopped restore applied, for its message: the features, whether the data is
     * in part, and the tables left without the secondary indexes built after their rows (an index
     * build cut short by a stop may still finish on the server, hence "may").
     */
    private String appliedSoFar(boolean dataInPart) {
      Set<String> withoutIndexes = new LinkedHashSet<>(indexesDropped);
      if (inserts != null) {
        withoutIndexes.removeIf(inserts::indexesBuilt);
      }
      String text =
          "applied so far: "
              + (!featuresApplied.isEmpty()
                  ? String.join(", ", featuresApplied)
                  : backyDump || statements == 0
                      ? "nothing"
                      // its statements ran with no feature of their own
                      : "the dump's first "
                          + statements
                          + (statements == 1 ? " statement" : " statements")
                          + " (it has no BackyDB directives telling what they hold)")
              + (dataInPart ? " (data in part)" : "");
      if (withoutIndexes.size() == 1) {
        text +=
            "; table "
                + SqlText.quoteIdent(withoutIndexes.iterator().next())
                + " may lack its secondary indexes (built after its rows)";
      } else if (!withoutIndexes.isEmpty()) {
        List<String> names = withoutIndexes.stream().map(SqlText::quoteIdent).toList();
        text +=
            "; tables "
                + String.join(", ", names)
                + " may lack their secondary indexes (built after their rows)";
      }
      return text;
    }

    /** The statement that adds back the indexes {@link DeferredIndexes} dropped, or null. */
    private String addIndexes;

    private String indexedTable;

    /** The table of the data section whose rows are being read, until its last one is. */
    private String rowsOf;

    private long parseRows(String value) {
      try {
        return Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        return -1; // only an estimate: a bad one just means no deferred indexes
      }
    }

    /** The current table's data is all submitted: its deferred indexes follow its last row. */
    private void finishTable() throws Exception {
      if (rowsOf != null) {
        // its last statements may still be running: the lanes tell the progress when they end
        if (inserts != null) {
          inserts.endTable(rowsOf);
        } else {
          request.progress().tableFinished(rowsOf);
        }
        rowsOf = null;
      }
      if (addIndexes == null) {
        return;
      }
      String sql = addIndexes;
      addIndexes = null;
      String where = "the secondary indexes of table " + SqlText.quoteIdent(indexedTable);
      if (inserts != null) {
        // a lane's connection takes raw text, like the dump's statements
        inserts.buildIndexesAfter(indexedTable, DumpDirectives.encodeRaw(sql), where);
      } else {
        request.progress().indexesStarted(indexedTable);
        try (Statement s = connection.createStatement()) {
          s.execute(sql);
          indexesDropped.remove(indexedTable);
        } finally {
          request.progress().indexesFinished(indexedTable);
        }
      }
    }

    /** Waits for the data connections to finish what they were given. */
    void endOfData() throws Exception {
      finishTable();
      if (inserts != null) {
        inserts.awaitAll();
        throwIfFailed();
      }
    }

    private void throwIfFailed() {
      ParallelInserts.Failure f = inserts.failure();
      if (f != null) {
        throw new BackyException(
            ErrorCode.DATABASE, failedAt(f.where(), f.table(), f.cause(), true), f.cause());
      }
    }

    /**
     * The message of a restore stopped by {@code cause}, a statement's failure at {@code where}
     * (one loading {@code ofTable}, if not null): what happened, what to do where that is known (a
     * row that duplicates another: {@link DuplicateRows}), and what was applied so far.
     */
    private String failedAt(String where, String ofTable, Exception cause, boolean dataInPart) {
      String duplicate =
          feature == null || feature == Feature.DATA
              ? DuplicateRows.explain(
                  cause,
                  connection,
                  database,
                  ofTable,
                  ofTable == null
                      ? Set.of()
                      : uncoveredKeys.getOrDefault(ofTable, Map.of()).keySet(),
                  ofTable != null && !created.contains(ofTable))
              : null;
      String reason =
          duplicate != null
              ? duplicate
              : cause instanceof SQLException e ? MySqlConnections.reason(e) : cause.toString();
      return "restore failed at " + where + ": " + reason + "; " + appliedSoFar(dataInPart);
    }

    /**
     * A stop request (SIGTERM) interrupted the restore at {@code where}: say how far it got, as for
     * a failed statement.
     */
    BackyException interrupted(String where, Exception cause) {
      Thread.currentThread().interrupt();
      return new BackyException(
          ErrorCode.FAILED,
          "interrupted at " + where + "; " + appliedSoFar(inserts != null),
          cause);
    }

    private String where(long line) {
      return where(file + " line " + line);
    }

    /**
     * {@code place} (a file, or a line of it) with the feature and table being applied, or in a
     * dump without directives what the statement being run is about.
     */
    String where(String place) {
      String w = place;
      if (feature != null) {
        w +=
            " ("
                + feature.key()
                + (table == null ? "" : " of table " + SqlText.quoteIdent(table))
                + ")";
      } else if (subject != null) {
        w += " (statement on " + subject + ")";
      }
      return w;
    }
  }
}
