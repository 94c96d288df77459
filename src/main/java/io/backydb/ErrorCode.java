package io.backydb;

/**
 * What kind of failure a {@link BackyException} reports. The CLI maps each code to its exit status:
 * bad usage or configuration exits 2, every failed operation exits 1.
 */
public enum ErrorCode {
  /**
   * The configuration file, a config value or a required environment variable is wrong or missing.
   */
  CONFIG(2),
  /** The database could not be reached, refused the login, or failed a statement. */
  DATABASE(1),
  /** The storage could not be written, read or listed. */
  STORAGE(1),
  /** A backup is corrupt, truncated, tampered with or not a backup at all. */
  CORRUPT_BACKUP(1),
  /**
   * The operation would destroy data and was not explicitly asked to (e.g. restoring over tables).
   */
  REFUSED(1),
  /** Anything else that stopped an operation. */
  FAILED(1);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The {@code bin/backy} exit status for this kind of failure: 2 or 1. */
  public int exitCode() {
    return exitCode;
  }
}
