package io.backydb.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a file descriptor link in {@code /proc/self/fd} says about the descriptor. */
class StderrTerminalTest {

  @TempDir Path dir;

  private boolean linkedTo(String target) throws Exception {
    Path link = Files.createTempFile(dir, "fd-", "");
    Files.delete(link);
    Files.createSymbolicLink(link, Path.of(target));
    return StderrTerminal.isTerminal(link);
  }

  @Test
  void terminalDevicesAreTerminals() throws Exception {
    assertThat(linkedTo("/dev/pts/3")).isTrue();
    assertThat(linkedTo("/dev/tty2")).isTrue();
    assertThat(linkedTo("/dev/ttyS0")).isTrue();
    assertThat(linkedTo("/dev/console")).isTrue();
  }

  @Test
  void filesPipesSocketsAndDevNullAreNot() throws Exception {
    assertThat(linkedTo("/var/log/backy.err")).isFalse();
    assertThat(linkedTo("pipe:[48213]")).isFalse();
    assertThat(linkedTo("socket:[48214]")).isFalse();
    assertThat(linkedTo("/dev/null")).isFalse();
    assertThat(linkedTo("/dev/ptmx")).isFalse();
  }

  @Test
  void theTestsOwnStderrIsNotATerminal() {
    // surefire sends a test JVM's stderr to a pipe
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isSymbolicLink(Path.of("/proc/self/fd/2")));
    assertThat(StderrTerminal.isTerminal()).isFalse();
  }
}
