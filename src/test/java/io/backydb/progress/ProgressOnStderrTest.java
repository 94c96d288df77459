package io.backydb.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line goes where stderr is a terminal, whatever stdout is. A child JVM runs a
 * reporter for a second and a half under {@code script}, which gives it a terminal, with one of its
 * two output streams redirected away from it.
 */
class ProgressOnStderrTest {

  @TempDir Path dir;

  /** A reporter that runs long enough to draw its line once. */
  public static final class Probe {
    public static void main(String[] args) throws InterruptedException {
      try (ProgressReporter p = new ProgressReporter("backup of probe", 10, System::nanoTime)) {
        p.start();
        p.tableStarted("t", 10);
        p.rows("t", 3, 100);
        Thread.sleep(1500);
      }
      System.out.println("probe done");
    }
  }

  /** Runs the probe in a terminal, {@code redirect} added to its command; returns the terminal. */
  private String inTerminal(String redirect) throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script gives a terminal");
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
