package io.backydb.camel.service;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
          + " left_out VARCHAR(255) NULL,"
          + " error VARCHAR(2000), KEY backy_history_started (started_at))"
          + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

  /** A column added after the table's first release: a table created before lacks it. */
  private static final String LEFT_OUT = "left_out";

  /** MySQL's and MariaDB's "Duplicate column name". */
  private static final int ER_DUP_FIELDNAME = 1060;

  private final DataSource ds;
  private final String where;

  public JdbcRunHistory(DataSource ds, String where) {
    this.ds = ds;
    this.where = where;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(CREATE);
      addMissingColumn(c);
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE,
          "cannot create table " + TABLE + " in " + where + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Adds {@code left_out} to a table an older BackyDB created. Several nodes may start at once: a
   * node that finds another added it meanwhile (duplicate column) has nothing to do.
   */
  private static void addMissingColumn(Connection c) throws SQLException {
    try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, TABLE, LEFT_OUT)) {
      if (rs.next()) {
        return;
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          "ALTER TABLE " + TABLE + " ADD COLUMN " + LEFT_OUT + " VARCHAR(255) NULL AFTER location");
    } catch (SQLException e) {
      if (e.getErrorCode() != ER_DUP_FIELDNAME) {
        throw e;
      }
    }
  }

  @Override
  public void record(RunRecord r) {
    String sql =
        "INSERT INTO "
            + TABLE
            + " (id, operation, status, node, trigger_name, scheduled_at, started_at, finished_at,"
            + " duration_ms, database_name, dump_bytes, stored_bytes, location, left_out, error)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      p.setString(i++, r.id());
      p.setString(i++, r.operation());
      p.setString(i++, r.status());
      p.setString(i++, r.node());
      p.setString(i++, r.trigger());
      p.setTimestamp(i++, ts(r.scheduledAt()));
      p.setTimestamp(i++, ts(r.startedAt()));
      p.setTimestamp(i++, ts(r.finishedAt()));
      p.setObject(i++, r.durationMs());
      p.setString(i++, r.database());
      p.setObject(i++, r.dumpBytes());
      p.setObject(i++, r.storedBytes());
      p.setString(i++, r.location());
      // feature names (views, functions, ...): no commas in them
      p.setString(i++, r.leftOut() == null ? null : String.join(",", r.leftOut()));
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
            + " duration_ms, database_name, dump_bytes, stored_bytes, location, left_out, error"
            + " FROM "
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
                  instant(rs.getTimestamp(6)),
                  instant(rs.getTimestamp(7)),
                  instant(rs.getTimestamp(8)),
                  rs.getObject(9, Long.class),
                  rs.getString(10),
                  rs.getObject(11, Long.class),
                  rs.getObject(12, Long.class),
                  rs.getString(13),
                  rs.getString(14) == null ? null : List.of(rs.getString(14).split(",")),
                  rs.getString(15)));
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

  // DATETIME columns hold UTC: the JDBC URL should use connectionTimeZone=UTC or the server's zone
  private static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
  }
}
