package io.backydb.cli;

import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.recovery.ResilientFileOutputStream;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says once on stderr that the log file could not be written (its disk full, its file system turned
 * read-only, ...). Logback only notes such a failure in its status list and goes on, so the log was
 * lost without a sign while every error line points the user to it. The run itself goes on: a
 * backup or a restore matters more than its log.
 */
final class LogFileWarning implements StatusListener {

  private final String log;
  private final PrintWriter err;
  private final AtomicBoolean warned = new AtomicBoolean();

  LogFileWarning(String log, PrintWriter err) {
    this.log = log;
    this.err = err;
  }

  @Override
  public void addStatusEvent(Status status) {
    if (status.getLevel() == Status.ERROR
        && fromTheLogFile(status.getOrigin())
        && warned.compareAndSet(false, true)) {
      err.println(
          "backy: warning: cannot write the log file "
              + log
              + reason(status.getThrowable())
              + "; the run goes on without its log");
    }
  }

  /**
   * The appender reports a failed write, or the stream under it does (logback's file stream keeps
   * the error and retries the file now and then); the log file is the only file it writes.
   */
  private static boolean fromTheLogFile(Object origin) {
    return origin instanceof FileAppender<?> || origin instanceof ResilientFileOutputStream;
  }

  private static String reason(Throwable t) {
    return t == null || t.getMessage() == null ? "" : " (" + t.getMessage() + ")";
  }
}
