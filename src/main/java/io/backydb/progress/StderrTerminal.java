package io.backydb.progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether stderr, where the progress line is drawn, is a terminal. Java 17 cannot say: {@code
 * System.console()} speaks of stdin and stdout only, so {@code backy backup 2>log} drew the line
 * into the file and {@code backy backup | tail -n 1} drew none. On Linux {@code /proc/self/fd/2}
 * names what stderr is: a terminal device ({@code /dev/pts/N}, {@code /dev/ttyN}, {@code
 * /dev/console}) or not (a file, a pipe, a socket, {@code /dev/null}). Without {@code /proc}
 * (macOS, Windows) it falls back to Java's console, which is there when stdin and stdout are both a
 * terminal: right for a command run at a prompt without redirections.
 */
public final class StderrTerminal {

  private static final Path STDERR = Path.of("/proc/self/fd/2");

  private StderrTerminal() {}

  /** Whether this process's stderr is a terminal. */
  public static boolean isTerminal() {
    return isTerminal(STDERR);
  }

  /** Whether the file descriptor link {@code fd} (as in {@code /proc/self/fd}) is a terminal. */
  @SuppressWarnings("SystemConsoleNull") // Java 17's console: see the class comment
  static boolean isTerminal(Path fd) {
    if (!Files.isSymbolicLink(fd)) {
      return System.console() != null;
    }
    try {
      return isTerminalDevice(Files.readSymbolicLink(fd).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return false; // unknown: a log line every 30 s is never wrong, escape codes in a file are
    }
  }

  /** Whether {@code path}, the target of a file descriptor link, is a terminal device. */
  static boolean isTerminalDevice(String path) {
    return path.startsWith("/dev/pts/")
        || path.startsWith("/dev/tty")
        || path.equals("/dev/console");
  }
}
