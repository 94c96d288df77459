package io.backydb;

import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Marks a logged warning the user should see while the run goes on: a one-shot command of the CLI,
 * which otherwise prints no log, also says it on stderr as {@code backy: warning: ...} (the
 * service's console shows every log line anyway, and the log file keeps it as any other).
 */
public final class UserWarnings {

  /** The marker; the message, formatted, is the warning's one line. */
  public static final Marker STDERR = MarkerFactory.getMarker("BACKY_STDERR");

  private UserWarnings() {}
}
