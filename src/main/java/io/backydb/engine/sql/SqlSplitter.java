package io.backydb.engine.sql;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.Reader;
import java.sql.SQLException;

/**
 * Splits a stream of MySQL/MariaDB SQL — mysqldump or mariadb-dump output, BackyDB's own dumps, or
 * anything a user would feed the {@code mariadb} command-line client — into single statements that
 * can be executed one by one over JDBC.
 *
 * <p>The contract, modelled on what the {@code mysql}/{@code mariadb} client does with a script:
 *
 * <ul>
 *   <li>Statements end at the current delimiter ({@code ;} at first), found only outside quotes and
 *       comments. They are handed to the {@link StatementSink} trimmed and without the delimiter;
 *       blank statements are skipped. Non-blank text after the last delimiter is a final statement.
 *   <li>{@code '...'} and {@code "..."} honour backslash escapes (unless {@code
 *       noBackslashEscapes}, for sql_mode NO_BACKSLASH_ESCAPES) and doubled quotes; {@code `...`}
 *       honours doubled backticks only. Everything inside quotes is kept exactly as written,
 *       including NUL characters, line breaks and non-BMP characters.
 *   <li>Comments — {@code #} to end of line, {@code --} followed by whitespace or end of input, and
 *       {@code /* ... *\/} — are dropped (a block comment inside a statement leaves one space).
 *       {@code --} followed by anything else is not a comment ({@code SELECT 1--1}).
 *   <li>Executable comments {@code /*!...*\/} and {@code /*M!...*\/} are statement text and are
 *       kept whole, even if they make up the whole statement. Their content is opaque: a delimiter
 *       inside them does not end the statement (quotes and nested comments inside are tracked only
 *       so that a {@code *\/} within them does not end the executable comment early). This is
 *       stricter than the {@code mysql} client, which would split at a {@code ;} inside, but dump
 *       tools never rely on that. The one exception is mariadb-dump's sandbox line {@code
 *       /*M!999999\- enable the sandbox mode *\/}, a client command rather than SQL, which is
 *       dropped.
 *   <li>{@code DELIMITER xx} (keyword in any case, where a statement would begin — normally the
 *       start of a line) switches the delimiter to the first word after it, e.g. {@code ;;}, {@code
 *       $$} or {@code //}, for the rest of the input; the rest of that line is ignored and the
 *       command is not passed on. A statement merely starting with the word, e.g. {@code
 *       DELIMITERx}, is not the command.
 *   <li>A line starting in its first column with {@code -- backy:} and standing between statements
 *       is a {@linkplain StatementSink#directive directive}. Inside a statement it is an ordinary
 *       comment.
 * </ul>
 *
 * <p>Memory is bounded by the longest statement: one longer than {@code maxStatementChars}
 * (counting everything kept, executable comments included) stops the split with a {@link
 * BackyException} ({@link ErrorCode#CORRUPT_BACKUP}), as does a quote or comment still open at the
 * end of input. The splitter keeps no other per-input state, so it is fed in pieces of any size:
 * the result never depends on where the input was cut.
 *
 * <p>A sink's {@link IOException}s and unchecked exceptions pass through unchanged; an {@link
 * SQLException} is wrapped in a BackyException with {@link ErrorCode#DATABASE}, any other checked
 * exception in one with {@link ErrorCode#FAILED}, both naming the statement's line. After any
 * exception, or after {@link #finish()}, the splitter must not be fed again.
 *
 * <p>Not thread-safe; one instance splits one input.
 */
public final class SqlSplitter {

  /** Default for the longest statement accepted, in chars (64 Mi chars, up to 128 MiB of heap). */
  public static final int DEFAULT_MAX_STATEMENT_CHARS = 64 * 1024 * 1024;

  private static final int READ_BUFFER_CHARS = 64 * 1024;
  private static final int INITIAL_CAPACITY = 8 * 1024;

  /**
   * A statement buffer grown beyond this is dropped after use so one huge statement does not pin
   * memory.
   */
  private static final int RETAINED_CAPACITY = 1024 * 1024;

  private static final String DIRECTIVE_PREFIX = " backy:"; // what follows "--" on a directive line
  private static final String DELIMITER_KEYWORD = "delimiter";

  /** mariadb-dump (10.11.8+ and later) writes this first; the client reads it as a command. */
  private static final String SANDBOX_COMMAND = "/*M!999999\\- enable the sandbox mode */";

  private enum State {
    /** Statement text outside quotes and comments (or inside an executable comment). */
    NORMAL,
    /** Inside a quote; {@link #quote} says which. */
    QUOTED,
    /** Inside a quote, right after a backslash: the next char is taken as is. */
    ESCAPED,
    /** Inside a {@code #} or {@code -- } comment, up to the end of the line. */
    LINE_COMMENT,
    /** Inside a {@code /* *\/} comment. */
    BLOCK_COMMENT,
    /** Just after {@code --}: a comment only if whitespace follows. */
    DASH_DASH,
    /** Just after {@code /*}: executable if {@code !} follows. */
    SLASH_STAR,
    /** Just after {@code /*M}: executable if {@code !} follows. */
    SLASH_STAR_M,
    /** After {@code DELIMITER }: collecting the rest of the line. */
    DELIMITER_ARG
  }

  private final StatementSink sink;
  private final int maxStatementChars;
  private final boolean noBackslashEscapes;

  private StringBuilder stmt = new StringBuilder(INITIAL_CAPACITY);
  private State state = State.NORMAL;
  private String delimiter = ";";

  // Position of the char being processed; advanced after each char, so its line is the current one.
  private long line = 1;
  private long column; // 0-based

  private long stmtLine;

  /**
   * Chars of {@link #stmt} from this index on are plain text, not part of a quote or comment; a
   * delimiter, {@code --} or {@code /*} is recognised only there.
   */
  private int plainFrom;

  private char quote;
  private long quoteLine;
  private int lastQuoteEnd =
      -1; // stmt length right after the last closing quote, to spot '' as one literal
  private char lastQuote;

  private boolean inExecutable;
  private long executableLine;
  private int executableStart;

  private long commentLine;
  private boolean afterStar; // in a block comment, the previous char was '*'
  private boolean dashDashAtLineStart;

  /** Text of a line comment that may be a directive; null when it cannot be one. */
  private StringBuilder directive;

  private long directiveLine;

  private final StringBuilder delimiterArg = new StringBuilder();
  private long delimiterLine;

  private boolean closed;

  /** A splitter with the default statement limit, backslash escapes on. */
  public SqlSplitter(StatementSink sink) {
    this(sink, DEFAULT_MAX_STATEMENT_CHARS, false);
  }

  /**
   * @param sink receives statements and directives
   * @param maxStatementChars longest statement accepted, in chars; longer fails as a corrupt backup
   * @param noBackslashEscapes true for sql_mode NO_BACKSLASH_ESCAPES, where {@code \} in a string
   *     is an ordinary char
   */
  public SqlSplitter(StatementSink sink, int maxStatementChars, boolean noBackslashEscapes) {
    if (sink == null) {
      throw new NullPointerException("sink");
    }
    if (maxStatementChars < 1) {
      throw new IllegalArgumentException(
          "maxStatementChars must be positive: " + maxStatementChars);
    }
    this.sink = sink;
    this.maxStatementChars = maxStatementChars;
    this.noBackslashEscapes = noBackslashEscapes;
  }

  /** Splits all of {@code in} with the defaults. Reads in chunks; does not close {@code in}. */
  public static void split(Reader in, StatementSink sink) throws IOException {
    split(in, sink, DEFAULT_MAX_STATEMENT_CHARS, false);
  }

  /** Splits all of {@code in}. Reads in chunks; does not close {@code in}. */
  public static void split(
      Reader in, StatementSink sink, int maxStatementChars, boolean noBackslashEscapes)
      throws IOException {
    SqlSplitter splitter = new SqlSplitter(sink, maxStatementChars, noBackslashEscapes);
    char[] buf = new char[READ_BUFFER_CHARS];
    int n;
    while ((n = in.read(buf)) != -1) {
      splitter.feed(buf, 0, n);
    }
    splitter.finish();
  }

  /**
   * Consumes the next piece of input. Statements completed by it are passed to the sink before this
   * returns; an unfinished one is kept for the next call.
   */
  public void feed(char[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IllegalStateException("splitter already finished or failed");
    }
    if (off < 0 || len < 0 || off > buf.length - len) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + buf.length);
    }
    boolean ok = false;
    try {
      scan(buf, off, off + len);
      ok = true;
    } finally {
      closed = !ok;
    }
  }

  /**
   * Ends the input: passes on the final statement if any text is left after the last delimiter, and
   * fails if a quote or comment is still open.
   */
  public void finish() throws IOException {
    if (closed) {
      throw new IllegalStateException("splitter already finished or failed");
    }
    closed = true;
    switch (state) {
      case QUOTED, ESCAPED ->
          throw unterminated(quote == '`' ? "quoted identifier" : "string", quoteLine);
      case BLOCK_COMMENT, SLASH_STAR, SLASH_STAR_M ->
          throw unterminated("comment", inExecutable ? executableLine : commentLine);
      case DASH_DASH -> {
        // "--" at the very end of input is a comment, as the server sees it.
        if (!inExecutable) {
          stmt.setLength(stmt.length() - 2);
        }
      }
      case LINE_COMMENT -> endLineComment();
      case DELIMITER_ARG -> applyDelimiter();
      case NORMAL -> {}
    }
    state = State.NORMAL;
    if (inExecutable) {
      throw unterminated("comment", executableLine);
    }
    emit(stmt.length());
  }

  private void scan(char[] buf, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      // Fast paths for the long stretches where nothing can happen: string contents and comments.
      if (state == State.QUOTED) {
        int j = i;
        char q = quote;
        while (j < to) {
          char ch = buf[j];
          if (ch == q || ch == '\\' || ch == '\n') {
            break;
          }
          j++;
        }
        if (j > i) {
          appendRange(buf, i, j);
          column += j - i;
          i = j;
          if (i == to) {
            return;
          }
        }
      } else if (state == State.LINE_COMMENT && !inExecutable && directive == null) {
        while (i < to && buf[i] != '\n') {
          i++;
          column++;
        }
        if (i == to) {
          return;
        }
      }
      char c = buf[i];
      step(c);
      if (c == '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
  }

  private void step(char c) throws IOException {
    switch (state) {
      case NORMAL -> plain(c);
      case QUOTED -> {
        append(c);
        if (c == quote) {
          state = State.NORMAL;
          plainFrom = stmt.length();
          lastQuoteEnd = stmt.length();
          lastQuote = c;
        } else if (c == '\\' && quote != '`' && !noBackslashEscapes) {
          state = State.ESCAPED;
        }
      }
      case ESCAPED -> {
        append(c);
        state = State.QUOTED;
      }
      case LINE_COMMENT -> {
        if (c == '\n') {
          endLineComment();
          state = State.NORMAL;
          plain(c);
        } else if (inExecutable) {
          append(c); // comments inside executable comments belong to the server
        } else if (directive != null) {
          captureDirective(c);
        }
      }
      case BLOCK_COMMENT -> {
        if (inExecutable) {
          append(c);
        }
        if (afterStar && c == '/') {
          state = State.NORMAL;
          if (!inExecutable) {
            separate();
          }
          plainFrom = stmt.length();
        } else {
          afterStar = c == '*';
        }
      }
      case DASH_DASH -> {
        if (isSpace(c)) {
          state = State.LINE_COMMENT;
          if (!inExecutable) {
            stmt.setLength(stmt.length() - 2);
            plainFrom = stmt.length();
            if (dashDashAtLineStart && stmt.length() == 0) {
              directive = new StringBuilder();
              directiveLine = line;
            }
          }
          step(c);
        } else {
          state = State.NORMAL;
          plain(c);
        }
      }
      case SLASH_STAR -> {
        if (c == '!') {
          startExecutable(c);
        } else if (c == 'M') {
          append(c);
          state = State.SLASH_STAR_M;
        } else {
          startDroppedBlockComment(2, c);
        }
      }
      case SLASH_STAR_M -> {
        if (c == '!') {
          startExecutable(c);
        } else {
          startDroppedBlockComment(3, c);
        }
      }
      case DELIMITER_ARG -> {
        if (c == '\n') {
          applyDelimiter();
        } else {
          if (delimiterArg.length() >= maxStatementChars) {
            throw tooLong(delimiterLine);
          }
          delimiterArg.append(c);
        }
      }
    }
  }

  /** A char in statement text, outside quotes and dropped comments. */
  private void plain(char c) throws IOException {
    if (stmt.length() == 0 && isSpace(c)) {
      return; // statements are passed on trimmed, so leading whitespace is never stored
    }
    append(c);
    int len = stmt.length();
    if (inExecutable) {
      plainInExecutable(c, len);
      return;
    }
    // The delimiter is checked first, as the client does, so it may even contain '#' or '-'.
    int delimStart = len - delimiter.length();
    if (delimStart >= plainFrom && endsWithDelimiter(delimStart)) {
      emit(delimStart);
      return;
    }
    switch (c) {
      case '\'', '"', '`' -> openQuote(c, len);
      case '#' -> {
        stmt.setLength(len - 1);
        plainFrom = stmt.length();
        directive = null;
        state = State.LINE_COMMENT;
      }
      case '-' -> {
        if (len - 2 >= plainFrom && stmt.charAt(len - 2) == '-') {
          dashDashAtLineStart = column == 1;
          state = State.DASH_DASH;
        }
      }
      case '*' -> {
        if (len - 2 >= plainFrom && stmt.charAt(len - 2) == '/') {
          commentLine = line;
          state = State.SLASH_STAR;
        }
      }
      default -> {
        // DELIMITER is a client command, so it only counts where a statement would begin.
        if (len == DELIMITER_KEYWORD.length() + 1 && isSpace(c) && startsWithDelimiterKeyword()) {
          stmt.setLength(0);
          plainFrom = 0;
          delimiterArg.setLength(0);
          delimiterLine = stmtLine;
          state = State.DELIMITER_ARG;
          if (c == '\n') {
            applyDelimiter();
          }
        }
      }
    }
  }

  /**
   * A char inside an executable comment (already appended). Quotes and comments are followed, but
   * kept, only so that a {@code *\/} inside them does not end the executable comment.
   */
  private void plainInExecutable(char c, int len) {
    switch (c) {
      case '\'', '"', '`' -> openQuote(c, len);
      case '#' -> {
        directive = null;
        state = State.LINE_COMMENT;
      }
      case '-' -> {
        if (len - 2 >= plainFrom && stmt.charAt(len - 2) == '-') {
          state = State.DASH_DASH;
        }
      }
      case '*' -> {
        if (len - 2 >= plainFrom && stmt.charAt(len - 2) == '/') {
          afterStar = false;
          state = State.BLOCK_COMMENT;
        }
      }
      case '/' -> {
        if (len - 2 >= plainFrom && stmt.charAt(len - 2) == '*') {
          inExecutable = false;
          plainFrom = len;
          if (executableStart == 0 && isSandboxCommand()) {
            stmt.setLength(0);
            plainFrom = 0;
          }
        }
      }
      default -> {}
    }
  }

  private void openQuote(char c, int len) {
    // '' inside '...' closes and reopens the quote; it is still the same literal for error reports.
    if (!(lastQuoteEnd == len - 1 && lastQuote == c)) {
      quoteLine = line;
    }
    quote = c;
    state = State.QUOTED;
  }

  private void startExecutable(char bang) throws IOException {
    append(bang);
    inExecutable = true;
    executableLine = commentLine;
    executableStart = stmt.length() - (stmt.charAt(stmt.length() - 2) == 'M' ? 4 : 3);
    plainFrom = stmt.length();
    state = State.NORMAL;
  }

  /** {@code /*} (or {@code /*M}) turned out to open an ordinary comment: unstore it and go on. */
  private void startDroppedBlockComment(int opened, char c) throws IOException {
    stmt.setLength(stmt.length() - opened);
    plainFrom = stmt.length();
    afterStar = false;
    state = State.BLOCK_COMMENT;
    step(c);
  }

  /** Where a dropped comment stood between two tokens, a space keeps them apart. */
  private void separate() throws IOException {
    int len = stmt.length();
    if (len > 0 && !isSpace(stmt.charAt(len - 1))) {
      append(' ');
    }
  }

  private void captureDirective(char c) {
    StringBuilder d = directive;
    int n = d.length();
    // Stop collecting as soon as the comment cannot be a directive, so long comments cost nothing.
    if (n < DIRECTIVE_PREFIX.length() && c != DIRECTIVE_PREFIX.charAt(n)) {
      directive = null;
      return;
    }
    if (n >= maxStatementChars) {
      throw tooLong(directiveLine);
    }
    d.append(c);
  }

  private void endLineComment() throws IOException {
    StringBuilder d = directive;
    directive = null;
    if (d != null && d.length() >= DIRECTIVE_PREFIX.length()) {
      String text = strip(d, DIRECTIVE_PREFIX.length(), d.length());
      try {
        sink.directive(text, directiveLine);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw wrap(e, "directive at line " + directiveLine);
      }
    }
  }

  private void applyDelimiter() {
    state = State.NORMAL;
    int n = delimiterArg.length();
    int start = 0;
    while (start < n && isSpace(delimiterArg.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < n && !isSpace(delimiterArg.charAt(end))) {
      end++;
    }
    if (start == end) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, "DELIMITER without a delimiter at line " + delimiterLine);
    }
    String d = delimiterArg.substring(start, end);
    if (d.indexOf('\\') >= 0) {
      // The client refuses these too: a backslash would be read as an escape or a client command.
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "DELIMITER must not contain a backslash, at line " + delimiterLine);
    }
    delimiter = d;
    delimiterArg.setLength(0);
  }

  /** Passes on {@code stmt[0, end)} if it is not blank, then starts a new statement. */
  private void emit(int end) throws IOException {
    while (end > 0 && isSpace(stmt.charAt(end - 1))) {
      end--;
    }
    if (end > 0) {
      String sql = stmt.substring(0, end);
      try {
        sink.statement(sql, stmtLine);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw wrap(e, "statement at line " + stmtLine);
      }
    }
    if (stmt.capacity() > RETAINED_CAPACITY) {
      stmt = new StringBuilder(INITIAL_CAPACITY);
    } else {
      stmt.setLength(0);
    }
    plainFrom = 0;
    lastQuoteEnd = -1;
  }

  private void append(char c) {
    int len = stmt.length();
    if (len == 0) {
      stmtLine = line;
    } else if (len >= maxStatementChars) {
      throw tooLong(stmtLine);
    }
    stmt.append(c);
  }

  /** Appends string contents; the caller guarantees the statement is already started. */
  private void appendRange(char[] buf, int from, int to) {
    if ((long) stmt.length() + (to - from) > maxStatementChars) {
      throw tooLong(stmtLine);
    }
    stmt.append(buf, from, to - from);
  }

  private boolean endsWithDelimiter(int start) {
    String d = delimiter;
    for (int k = 0; k < d.length(); k++) {
      if (stmt.charAt(start + k) != d.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWithDelimiterKeyword() {
    for (int k = 0; k < DELIMITER_KEYWORD.length(); k++) {
      if (Character.toLowerCase(stmt.charAt(k)) != DELIMITER_KEYWORD.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private boolean isSandboxCommand() {
    return stmt.length() == SANDBOX_COMMAND.length() && SANDBOX_COMMAND.contentEquals(stmt);
  }

  private BackyException tooLong(long startLine) {
    return new BackyException(
        ErrorCode.CORRUPT_BACKUP,
        "statement starting at line "
            + startLine
            + " is longer than "
            + maxStatementChars
            + " characters: the SQL input is corrupt, or the statement limit is too low");
  }

  private static BackyException unterminated(String what, long startLine) {
    return new BackyException(
        ErrorCode.CORRUPT_BACKUP,
        "unterminated "
            + what
            + " starting at line "
            + startLine
            + ": the SQL input is truncated or corrupt");
  }

  private static BackyException wrap(Exception e, String where) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    ErrorCode code = e instanceof SQLException ? ErrorCode.DATABASE : ErrorCode.FAILED;
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new BackyException(code, where + " failed: " + msg.replaceAll("\\s+", " ").trim(), e);
  }

  private static String strip(CharSequence s, int from, int to) {
    while (from < to && isSpace(s.charAt(from))) {
      from++;
    }
    while (to > from && isSpace(s.charAt(to - 1))) {
      to--;
    }
    return s.subSequence(from, to).toString();
  }

  /**
   * Whitespace as the MySQL lexer sees it; deliberately not {@link String#trim()}, which eats NULs.
   */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }
}
