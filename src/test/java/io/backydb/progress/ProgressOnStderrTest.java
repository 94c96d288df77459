package io.backydb.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line goes where stderr is a terminal, whatever stdout is. A child JVM runs a
 * reporter for a second and a half under {@code script}, which gives it a terminal, with one of its
 * two output streams redirected away from it.
 */
class ProgressOnStderrTest {

  @TempDir Path dir;

  /**
   * A reporter that runs until it has drawn its line once, or for long enough that it would have (a
   * terminal's line comes every second): it ends as soon as the line is on stderr, and waits out
   * the deadline only where no line is to come.
   */
  public static final class Probe {
    public static void main(String[] args) throws InterruptedException {
      CountDownLatch drawn = new CountDownLatch(1);
      PrintStream stderr = System.err;
      System.setErr(
          new PrintStream(
              new OutputStream() {
                @Override
                public void write(int b) {
                  stderr.write(b);
                  drawn.countDown();
                }

                @Override
                public void write(byte[] b, int off, int len) {
                  stderr.write(b, off, len);
                  drawn.countDown();
                }
              },
              true));
      try (ProgressReporter p = new ProgressReporter("backup of probe", 10, System::nanoTime)) {
        p.start();
        p.tableStarted("t", 10);
        p.rows("t", 3, 100);
        boolean unused = drawn.await(1500, TimeUnit.MILLISECONDS);
      }
      System.out.println("probe done");
    }
  }

  /** Runs the probe in a terminal, {@code redirect} added to its command; returns the terminal. */
  private String inTerminal(String redirect) throws Exception {
    // util-linux's script (Debian's essential bsdutils) gives the probe a terminal; a test that
    // cannot run must not pass as skipped
    assertThat(Path.of("/usr/bin/script")).as("util-linux script gives a terminal").isExecutable();
    String java =
        "'"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -Xmx64m -cp '"
            + System.getProperty("java.class.path")
            + "' '"
            + Probe.class.getName()
            + "' "
            + redirect;
    Path transcript = dir.resolve("terminal");
    Process p =
        new ProcessBuilder("script", "-qec", java, "/dev/null")
            .redirectOutput(transcript.toFile())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe ended").isTrue();
    assertThat(p.exitValue()).as(Files.readString(transcript)).isZero();
    return Files.readString(transcript, StandardCharsets.UTF_8);
  }

  @Test
  void stderrRedirectedToAFileGetsNoProgressLineThoughStdoutIsATerminal() throws Exception {
    Path err = dir.resolve("stderr");
    String terminal = inTerminal("2>'" + err + "'");

    assertThat(terminal).contains("probe done").doesNotContain("backup of probe");
    assertThat(Files.readString(err)).doesNotContain("\r").doesNotContain("\u001b[K");
  }

  @Test
  void stdoutPipedStillShowsTheProgressLineOnTheTerminal() throws Exception {
    Path out = dir.resolve("stdout");
    String terminal = inTerminal("| cat > '" + out + "'");

    assertThat(terminal).contains("\rbackup of probe: table t 3/10 rows").contains("\u001b[K");
    assertThat(Files.readString(out)).isEqualTo("probe done\n");
  }
}
