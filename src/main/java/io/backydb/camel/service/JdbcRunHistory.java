package io.backydb.camel.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** Run history in the {@code backy_history} table of the service database (created if missing). */
public final class JdbcRunHistory implements RunHistory {

  public static final String TABLE = "backy_history";

  private static final String CREATE =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " (id VARCHAR(64) NOT NULL PRIMARY KEY, operation VARCHAR(16) NOT NULL,"
          + " status VARCHAR(16) NOT NULL, node VARCHAR(255), trigger_name VARCHAR(255),"
          + " scheduled_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL,"
          + " finished_at DATETIME(3) NULL, duration_ms BIGINT NULL, database_name VARCHAR(255),"
          + " dump_bytes BIGINT NULL, stored_bytes BIGINT NULL, location VARCHAR(2000),"
          + " left_out VARCHAR(255) NULL, insert_triggers MEDIUMTEXT NULL,"
          + " engine_substitutes MEDIUMTEXT NULL,"
          + " error VARCHAR(2000), KEY backy_history_started (started_at))"
          + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

  /**
   * Columns added after the table's first release, in order, with their definitions: a table
   * created before lacks them. {@code insert_triggers} and {@code engine_substitutes} hold a JSON
   * array of strings: a trigger's or table's name may hold any character, a separator too.
   */
  private static final List<AddedColumn> ADDED_COLUMNS =
      List.of(
          new AddedColumn("left_out", "VARCHAR(255) NULL AFTER location"),
          new AddedColumn("insert_triggers", "MEDIUMTEXT NULL AFTER left_out"),
          new AddedColumn("engine_substitutes", "MEDIUMTEXT NULL AFTER insert_triggers"));

  private record AddedColumn(String name, String definition) {}

  /** MySQL's and MariaDB's "Duplicate column name". */
  private static final int ER_DUP_FIELDNAME = 1060;

  private static final DateTimeFormatter DATETIME_3 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

  private final DataSource ds;
  private final String where;

  public JdbcRunHistory(DataSource ds, String where) {
    this.ds = ds;
    this.where = where;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(CREATE);
      addMissingColumns(c);
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE,
          "cannot create table " + TABLE + " in " + where + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Adds the {@link #ADDED_COLUMNS} a table an older BackyDB created lacks. Several nodes may start
   * at once: a node that finds another added one meanwhile (duplicate column) has nothing to do.
   */
  private static void addMissingColumns(Connection c) throws SQLException {
    for (AddedColumn column : ADDED_COLUMNS) {
      try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, TABLE, column.name())) {
        if (rs.next()) {
          continue;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute(
            "ALTER TABLE " + TABLE + " ADD COLUMN " + column.name() + " " + column.definition());
      } catch (SQLException e) {
        if (e.getErrorCode() != ER_DUP_FIELDNAME) {
          throw e;
        }
      }
    }
  }

  @Override
  public void record(RunRecord r) {
    String sql =
        "INSERT INTO "
            + TABLE
            + " (id, operation, status, node, trigger_name, scheduled_at, started_at, finished_at,"
            + " duration_ms, database_name, dump_bytes, stored_bytes, location, left_out,"
            + " insert_triggers, engine_substitutes, error)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      p.setString(i++, r.id());
      p.setString(i++, r.operation());
      p.setString(i++, r.status());
      p.setString(i++, r.node());
      p.setString(i++, r.trigger());
      p.setString(i++, utc(r.scheduledAt()));
      p.setString(i++, utc(r.startedAt()));
      p.setString(i++, utc(r.finishedAt()));
      p.setObject(i++, r.durationMs());
      p.setString(i++, r.database());
      p.setObject(i++, r.dumpBytes());
      p.setObject(i++, r.storedBytes());
      p.setString(i++, r.location());
      // feature names (views, functions, ...): no commas in them
      p.setString(i++, r.leftOut() == null ? null : String.join(",", r.leftOut()));
      p.setString(i++, json(r.insertTriggers()));
      p.setString(i++, json(r.engineSubstitutes()));
      p.setString(i++, truncate(r.error()));
      p.executeUpdate();
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE, "cannot record a run in " + where + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<RunRecord> latest(int limit) {
    String sql =
        "SELECT id, operation, status, node, trigger_name, scheduled_at, started_at, finished_at,"
            + " duration_ms, database_name, dump_bytes, stored_bytes, location, left_out,"
            + " insert_triggers, engine_substitutes, error FROM "
            + TABLE
            + " ORDER BY started_at DESC, id LIMIT ?";
    List<RunRecord> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(sql)) {
      p.setInt(1, limit);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(
              new RunRecord(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  instant(rs.getObject(6, LocalDateTime.class)),
                  instant(rs.getObject(7, LocalDateTime.class)),
                  instant(rs.getObject(8, LocalDateTime.class)),
                  rs.getObject(9, Long.class),
                  rs.getString(10),
                  rs.getObject(11, Long.class),
                  rs.getObject(12, Long.class),
                  rs.getString(13),
                  rs.getString(14) == null ? null : List.of(rs.getString(14).split(",")),
                  names(rs, 15),
                  names(rs, 16),
                  rs.getString(17)));
        }
      }
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE, "cannot read the history in " + where + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public String describe() {
    return "table " + TABLE + " in " + where;
  }

  /**
   * An instant as the text of a DATETIME(3) in UTC. Not a Timestamp: Connector/J converts one into
   * the connection's time zone (so nodes with different URLs or zones wrote different times), and
   * drops its milliseconds on a MariaDB server, which it takes for MySQL 5.5 by the "5.5.5-" its
   * handshake starts with (so two runs in one second came back in either order).
   */
  private static String utc(Instant i) {
    return i == null ? null : DATETIME_3.format(i.atOffset(ZoneOffset.UTC));
  }

  /** The instant of a DATETIME column, which holds UTC; read as it is, without a zone's shift. */
  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }

  /** Names as a JSON array of strings; null for none. */
  private static String json(List<String> names) {
    if (names == null) {
      return null;
    }
    try {
      return FileRunHistory.JSON.writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a list of strings always is JSON
    }
  }

  /** The names a column {@link #json} wrote holds; null for none. */
  private List<String> names(ResultSet rs, int column) throws SQLException {
    String json = rs.getString(column);
    if (json == null) {
      return null;
    }
    try {
      return List.of(FileRunHistory.JSON.readValue(json, String[].class));
    } catch (JsonProcessingException e) {
      throw new BackyException(
          ErrorCode.DATABASE,
          "cannot read the history in "
              + where
              + ": a run's "
              + rs.getMetaData().getColumnLabel(column)
              + " is not a JSON array of strings: "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
  }
}
