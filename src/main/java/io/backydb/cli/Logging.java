package io.backydb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.boolex.OnMarkerEvaluator;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.filter.EvaluatorFilter;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.FilterReply;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.OneLineMessage;
import io.backydb.config.Environment;
import io.backydb.storage.OwnerOnly;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Where logs go: always to {@code $LOGGING_PATH/backydb.log} when that is set; to the console only
 * for the long-running service, so that one-shot commands print just their own output and the
 * warnings meant for the user ({@link StderrWarnings}). A {@code LOGGING_PATH} whose folder cannot
 * be created or whose log file cannot be opened is a config error, not a run without a log; a log
 * file that fails later in the run is a warning ({@link LogFileWarning}).
 */
final class Logging {

  static final String FILE_NAME = "backydb.log";

  /**
   * Marks what goes to the log file but not to the service's console: the details of an error whose
   * one line on stderr already says everything (a configuration error).
   */
  static final Marker FILE_ONLY = MarkerFactory.getMarker("BACKY_FILE_ONLY");

  private Logging() {}

  /**
   * Sets up logging for one run of the CLI; a log file that cannot be written later on is said once
   * on {@code err} ({@link LogFileWarning}).
   *
   * @throws BackyException (CONFIG) naming {@code LOGGING_PATH} if the log file cannot be written
   */
  static void configure(Environment env, boolean console, PrintWriter err) {
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
    String dir = env.get(Environment.LOGGING_PATH).orElse("");
    if (!dir.isBlank()) {
      // logback would only note a folder it cannot use in its status list and log nowhere, while
      // every error line points the user to this file
      Path log = writableLogFile(dir);
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setContext(ctx);
      file.setName("file");
      file.setFile(log.toString());
      file.setEncoder(encoder(ctx));
      file.setPrudent(true); // several backy processes may share one log folder
      file.start();
      if (!file.isStarted()) {
        throw unusable(dir, "logback could not open " + log);
      }
      root.addAppender(file);
      // removed by the next run's ctx.reset(), as it is not reset resistant
      ctx.getStatusManager().add(new LogFileWarning(log.toString(), err));
    }
    if (console) {
      ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
      out.setContext(ctx);
      out.setName("console");
      out.setEncoder(encoder(ctx));
      out.addFilter(notOnConsole(ctx));
      out.start();
      root.addAppender(out);
    } else {
      StderrWarnings warnings = new StderrWarnings(err);
      warnings.setContext(ctx);
      warnings.setName("stderr-warnings");
      warnings.start();
      root.addAppender(warnings);
    }
  }

  /** Events marked {@link #FILE_ONLY}: the console does not show them. */
  private static EvaluatorFilter<ILoggingEvent> notOnConsole(LoggerContext ctx) {
    OnMarkerEvaluator marked = new OnMarkerEvaluator();
    marked.setContext(ctx);
    marked.addMarker(FILE_ONLY.getName());
    marked.start();
    EvaluatorFilter<ILoggingEvent> filter = new EvaluatorFilter<>();
    filter.setContext(ctx);
    filter.setEvaluator(marked);
    filter.setOnMatch(FilterReply.DENY);
    filter.setOnMismatch(FilterReply.NEUTRAL);
    filter.start();
    return filter;
  }

  /**
   * Where an error's stack trace went, for the one line that tells the user about the error:
   * without {@code LOGGING_PATH} a one-shot command keeps no log, so the line says how to get one.
   */
  static String whereDetailsAre() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
      if (root.getAppender("file") instanceof FileAppender<ILoggingEvent> file) {
        return "details in " + file.getFile();
      }
      if (root.getAppender("console") != null) {
        return "details in the log above";
      }
    }
    return "set " + Environment.LOGGING_PATH + " to keep a log with the details";
  }

  /** {@code dir/backydb.log}, its folder created if missing and the file opened for appending. */
  private static Path writableLogFile(String dir) {
    Path log;
    try {
      log = Path.of(dir).resolve(FILE_NAME);
    } catch (InvalidPathException e) {
      throw unusable(dir, e.getReason());
    }
    try {
      Files.createDirectories(log.getParent());
      // a new log is the owner's only, as the backups are: error lines can quote row values (a
      // duplicate key, say); a log that exists keeps the permissions its operator gave it
      try (FileChannel ch =
          FileChannel.open(
              log,
              Set.of(
                  StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
              OwnerOnly.file())) {
        return log;
      }
    } catch (IOException e) {
      throw unusable(dir, reason(e));
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a folder";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static BackyException unusable(String dir, String reason) {
    return new BackyException(
        ErrorCode.CONFIG,
        "environment variable "
            + Environment.LOGGING_PATH
            + " ("
            + dir
            + ") cannot hold the log file "
            + FILE_NAME
            + ": "
            + reason);
  }

  private static PatternLayoutEncoder encoder(LoggerContext ctx) {
    // as logback.xml's conversionRule does for the Java API's default set-up
    @SuppressWarnings("unchecked")
    Map<String, Supplier<DynamicConverter<?>>> rules =
        (Map<String, Supplier<DynamicConverter<?>>>)
            ctx.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
    if (rules == null) {
      rules = new HashMap<>();
      ctx.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
    }
    rules.put(OneLineMessage.WORD, OneLineMessage::new);
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(ctx);
    e.setPattern(
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %"
            + OneLineMessage.WORD
            + "%n");
    e.start();
    return e;
  }
}
