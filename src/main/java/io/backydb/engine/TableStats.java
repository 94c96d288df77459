package io.backydb.engine;

/** Rows and bytes of SQL written for one table's data. */
public record TableStats(String name, long rows, long bytes) {}
