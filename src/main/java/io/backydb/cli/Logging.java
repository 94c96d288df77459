package io.backydb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import io.backydb.config.Environment;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Where logs go: always to {@code $LOGGING_PATH/backydb.log} when that is set; to the console only
 * for the long-running service, so that one-shot commands print just their own output.
 */
final class Logging {

  private Logging() {}

  static void configure(Environment env, boolean console) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.reset();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    // drivers and libraries chat at INFO about things a user does not need
    ctx.getLogger("ch.vorburger").setLevel(Level.WARN);
    ctx.getLogger("org.apache.camel.impl.engine").setLevel(Level.WARN);
    ctx.getLogger("com.mchange").setLevel(Level.WARN); // c3p0 prints its whole pool config
    env.get(Environment.LOGGING_PATH)
        .filter(p -> !p.isBlank())
        .ifPresent(
            dir -> {
              FileAppender<ILoggingEvent> file = new FileAppender<>();
              file.setContext(ctx);
              file.setName("file");
              file.setFile(Path.of(dir, "backydb.log").toString());
              file.setEncoder(encoder(ctx));
              file.setPrudent(true); // several backy processes may share one log folder
              file.start();
              root.addAppender(file);
            });
    if (console) {
      ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
      out.setContext(ctx);
      out.setName("console");
      out.setEncoder(encoder(ctx));
      out.start();
      root.addAppender(out);
    }
  }

  private static PatternLayoutEncoder encoder(LoggerContext ctx) {
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(ctx);
    e.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n");
    e.start();
    return e;
  }
}
