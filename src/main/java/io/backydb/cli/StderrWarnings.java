package io.backydb.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.backydb.OneLine;
import io.backydb.UserWarnings;
import java.io.PrintWriter;
import org.slf4j.Marker;

/**
 * Prints the warnings marked {@link UserWarnings#STDERR} on stderr, one line each, as {@code backy:
 * warning: ...}, when they are logged: a one-shot command prints no log on the console, and the
 * user learns of such a warning as the run goes on, not only from the log file.
 */
final class StderrWarnings extends AppenderBase<ILoggingEvent> {

  private final PrintWriter err;

  StderrWarnings(PrintWriter err) {
    this.err = err;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getMarkerList() != null
        && event.getMarkerList().stream().anyMatch(StderrWarnings::marksStderr)) {
      err.println("backy: warning: " + OneLine.of(event.getFormattedMessage()));
    }
  }

  private static boolean marksStderr(Marker m) {
    return m.getName().equals(UserWarnings.STDERR.getName());
  }
}
