package io.backydb.engine.mysql;

import io.backydb.progress.ProgressListener;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;

/**
 * Writes a result set's rows as multi-row INSERT statements of about {@link
 * MySqlDumper#STATEMENT_BYTES} each. This is the hottest loop of a backup, kept apart from the
 * dumper's set-up code on purpose: the JIT compiles it early and cheaply, and when a table brings a
 * column kind the compiled code has not seen yet, only this small loop is recompiled, not the
 * dumper around it (measured: the dump loop inside the dumper took 0.8 CPU-s of compilation per
 * full-scale backup).
 */
final class InsertStatements {

  private final byte[] insertPrefix;
  private final ColumnKind[] kinds;
  private final SqlText sql;
  private final OutputStream out;

  /**
   * @param insertPrefix {@code INSERT INTO `t` (`a`,`b`) VALUES\n} in UTF-8
   * @param kinds how each selected column is written, in select order
   * @param sql the buffer each statement is assembled in (empty; left empty)
   */
  InsertStatements(byte[] insertPrefix, ColumnKind[] kinds, SqlText sql, OutputStream out) {
    this.insertPrefix = insertPrefix;
    this.kinds = kinds;
    this.sql = sql;
    this.out = out;
  }

  /**
   * Writes every row of {@code cursor}, reporting each statement to {@code progress}.
   *
   * @return {rows, bytes written}
   */
  long[] write(RowCursor cursor, String table, ProgressListener progress)
      throws SQLException, IOException {
    long rows = 0;
    long reported = 0;
    long bytes = 0;
    while (cursor.next()) {
      if (sql.length() == 0) {
        sql.raw(insertPrefix).ch('(');
      } else {
        sql.ch(',').ch('\n').ch('(');
      }
      appendRow(cursor);
      sql.ch(')');
      rows++;
      if (sql.length() >= MySqlDumper.STATEMENT_BYTES) {
        long flushed = flush();
        bytes += flushed;
        progress.rows(table, rows - reported, flushed);
        reported = rows;
      }
    }
    if (sql.length() > 0) {
      long flushed = flush();
      bytes += flushed;
      progress.rows(table, rows - reported, flushed);
    }
    return new long[] {rows, bytes};
  }

  private void appendRow(RowCursor row) throws SQLException {
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] == ColumnKind.ENUM_ERROR) {
        continue; // read with the ENUM before it
      }
      if (i > 0) {
        sql.ch(',');
      }
      // the server's own text for every value (see MySqlConnections): nothing is converted
      if (!row.column(i)) {
        sql.text("NULL");
        continue;
      }
      byte[] a = row.array();
      int off = row.offset();
      int n = row.length();
      switch (kinds[i]) {
        case NUMBER, FLOAT, DOUBLE -> sql.raw(a, off, n);
        case BIT -> sql.bits(a, off, n);
        case BINARY -> sql.binary(a, off, n);
        case ENUM -> {
          // the empty string of an invalid value, told apart by the flag after it: `e` + 0 = 0
          if (n == 0 && isOne(row, i + 1)) {
            sql.text("(0)");
          } else {
            sql.string(a, off, n);
          }
        }
        case STRING, ENUM_ERROR -> sql.string(a, off, n);
      }
    }
  }

  private static boolean isOne(RowCursor row, int index) throws SQLException {
    return row.column(index) && row.length() == 1 && row.array()[row.offset()] == '1';
  }

  private long flush() throws IOException {
    sql.ch(';').ch('\n');
    long n = sql.length();
    sql.writeTo(out);
    sql.reset();
    return n;
  }
}
