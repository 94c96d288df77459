package io.backydb.engine.sql;

/**
 * Receives what {@link SqlSplitter} finds in a SQL stream, in input order.
 *
 * <p>Calls happen on the thread that feeds the splitter, one at a time. An exception thrown here
 * stops the split: the splitter passes it on (see {@link SqlSplitter} for how checked exceptions
 * are wrapped) and must not be fed again.
 */
public interface StatementSink {

  /**
   * One complete statement, ready to execute on its own.
   *
   * @param sql the statement, trimmed of surrounding whitespace, without its delimiter, with
   *     ordinary comments removed and executable comments ({@code /*!...*\/}) kept; never empty
   * @param line the 1-based input line on which the statement's first character stands
   */
  void statement(String sql, long line) throws Exception;

  /**
   * A BackyDB directive: a line that starts (in its first column) with {@code -- backy:} and stands
   * between statements. The dumper writes these as section markers, e.g. {@code -- backy:section
   * data}.
   *
   * @param text what follows {@code -- backy:} on that line, trimmed
   * @param line the 1-based line of the directive
   */
  default void directive(String text, long line) throws Exception {}
}
