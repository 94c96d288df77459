package io.backydb;

/**
 * The one exception type BackyDB throws for expected failures. Its message is a single line meant
 * for the user: it names the problem and, where possible, what to do next. It never contains a
 * password or key. {@link #code()} says what kind of failure it is; an unexpected failure (a bug)
 * is one with code {@link ErrorCode#FAILED} and the original exception as its cause.
 */
public class BackyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  /** A failure of the given kind, described in one line. */
  public BackyException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** A failure of the given kind, described in one line, caused by {@code cause}. */
  public BackyException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** What kind of failure this is (the CLI's exit status is {@code code().exitCode()}). */
  public ErrorCode code() {
    return code;
  }

  /** Finds the first BackyException in a cause chain (Camel wraps processor failures). */
  public static BackyException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BackyException b) {
        return b;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
