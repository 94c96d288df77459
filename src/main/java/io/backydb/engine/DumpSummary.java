package io.backydb.engine;

import java.util.List;

/**
 * What a dump saw: the server, the database's defaults and per-table statistics.
 *
 * @param serverVersion as the server reports it, e.g. {@code 10.11.19-MariaDB}
 * @param charset the database's default character set
 * @param collation the database's default collation
 * @param tables row counts and bytes for every table whose data was dumped
 * @param files the dump's files, in the order they were written
 */
public record DumpSummary(
    String serverVersion,
    String charset,
    String collation,
    List<TableStats> tables,
    List<String> files) {

  public long totalRows() {
    return tables.stream().mapToLong(TableStats::rows).sum();
  }
}
