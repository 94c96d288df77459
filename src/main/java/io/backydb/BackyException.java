package io.backydb;

/**
 * The one exception type BackyDB throws for expected failures. Its message is a single line meant
 * for the user: it names the problem and, where possible, what to do next. It never contains a
 * password or key.
 */
public class BackyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public BackyException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public BackyException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

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
