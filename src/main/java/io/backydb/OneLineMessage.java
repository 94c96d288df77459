package io.backydb;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %oneLineMsg}: the formatted message as {@link OneLine} writes it, so that a name
 * holding a line break cannot start what reads as another log line. A stack trace ({@code %ex})
 * still follows on its own lines.
 */
public final class OneLineMessage extends ClassicConverter {

  /** The word the log patterns use for it. */
  public static final String WORD = "oneLineMsg";

  @Override
  public String convert(ILoggingEvent event) {
    return OneLine.of(event.getFormattedMessage());
  }
}
