package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/backy} itself, on the run that records the class-data-sharing archive: there the
 * script cannot exec Java (it renames the archive after Java exits), so it must pass stop requests
 * and stdin on. The script under test is the project's real one, in a copy of the project's layout;
 * {@code java} on its PATH is a stand-in that records what reached it, so that no build is needed.
 */
class BinBackyScriptTest {

  @TempDir Path home;
  Path signals;

  @BeforeEach
  void setUp() throws IOException {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.copy(Path.of("bin", "backy"), bin.resolve("backy"));
    Files.createDirectories(home.resolve("target"));
    Files.writeString(home.resolve("target/backydb.jar"), "a jar");
    signals = home.resolve("java-signals");
    // the stand-in: writes a partial archive at once, echoes its stdin, then waits to be stopped
    // (a TERM ends it with 143, as the JVM's does) or exits with the status it was given
    executable(
        Files.createDirectories(home.resolve("fakebin")).resolve("java"),
        "#!/usr/bin/env bash\n"
            + "for a in \"$@\"; do case $a in -XX:ArchiveClassesAtExit=*)"
            + " echo partial > \"${a#*=}\";; esac; done\n"
            + "trap 'echo TERM >> \"$SIGNALS\"; kill $sleeper 2>/dev/null; exit 143' TERM\n"
            + "trap 'echo HUP >> \"$SIGNALS\"' HUP\n"
            + "echo \"java options: $*\"\n"
            + "read -r line && echo \"java read: $line\"\n"
            + "echo started\n"
            + "[ -n \"$FAKE_EXIT\" ] && exit \"$FAKE_EXIT\"\n"
            + "sleep 60 & sleeper=$!\n"
            + "wait $sleeper\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT", "HUP"})
  void aStopRequestToTheScriptStopsJavaAndLeavesNoArchive(String signal) throws Exception {
    Process script = start("");
    script.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
    script.getOutputStream().close();
    awaitOutput(script, "started");

    new ProcessBuilder("kill", "-" + signal, Long.toString(script.pid())).start().waitFor();

    assertThat(script.waitFor(20, TimeUnit.SECONDS)).as("the script ended").isTrue();
    assertThat(script.exitValue()).isEqualTo(143);
    assertThat(Files.readAllLines(signals)).containsExactly("TERM");
    assertThat(archives()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT", "HUP"})
  void aStopRequestDuringTheFirstUseBuildStopsMavenAndLeavesNoJar(String signal) throws Exception {
    // no jar yet: the script builds it first, with the stand-in mvn, which starts a jar and waits
    Files.delete(home.resolve("target/backydb.jar"));
    Files.createDirectories(home.resolve("src/main"));
    executable(
        home.resolve("fakebin/mvn"),
        "#!/usr/bin/env bash\n"
            + "trap 'echo mvn TERM >> \"$SIGNALS\"; kill $sleeper 2>/dev/null; exit 143' TERM\n"
            + "echo half > \"$(dirname \"$4\")/target/backydb.jar\"\n"
            + "echo building >> \"$SIGNALS\"\n"
            + "sleep 60 & sleeper=$!\n"
            + "wait $sleeper\n");
    Process script = start("0");
    script.getOutputStream().close();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(signals) && Files.exists(home.resolve("target/backydb.jar")));

    new ProcessBuilder("kill", "-" + signal, Long.toString(script.pid())).start().waitFor();

    assertThat(script.waitFor(20, TimeUnit.SECONDS)).as("the script ended").isTrue();
    int expected =
        switch (signal) {
          case "TERM" -> 143;
          case "INT" -> 130;
          default -> 129;
        };
    assertThat(script.exitValue()).isEqualTo(expected);
    assertThat(new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("backy: stopped during the build");
    assertThat(Files.readAllLines(signals)).containsExactly("building", "mvn TERM");
    assertThat(home.resolve("target/backydb.jar")).as("the half-built jar").doesNotExist();
  }

  @Test
  void aRunThatWorkedKeepsItsArchiveAndJavaReadTheScriptsStdin() throws Exception {
    Process script = start("0");
    try (OutputStream in = script.getOutputStream()) {
      in.write("yes\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(script.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(script.exitValue()).isZero();
    assertThat(out).contains("java read: yes");
    assertThat(archives()).containsExactly("backydb.jsa");
  }

  @Test
  void aRunThatFailedReturnsJavasStatusAndLeavesNoArchive() throws Exception {
    Process script = start("3");
    script.getOutputStream().close();

    assertThat(script.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(script.exitValue()).isEqualTo(3);
    assertThat(archives()).isEmpty();
  }

  /**
   * The service (`backy run`) ends on an OutOfMemoryError instead of running on with a dead thread
   * (a request consumer, say) while its health says UP; a one-shot command needs no such option.
   * Also when BACKY_JAVA_OPTS replaces the default options.
   */
  @Test
  void theServiceEndsOnAnOutOfMemoryErrorWhateverItsOptions() throws Exception {
    assertThat(javaOptions("run", null)).contains(" -XX:+ExitOnOutOfMemoryError ");
    assertThat(javaOptions("run", "-Xmx1g")).contains("-Xmx1g -XX:+ExitOnOutOfMemoryError ");
    assertThat(javaOptions("backup", null)).doesNotContain("ExitOnOutOfMemoryError");
  }

  /**
   * A recording run whose script was killed outright (SIGKILL) while Java went on left Java's
   * archive under the script's temporary name, 30 MB in {@code target/} that no later run removed.
   */
  @Test
  void theArchiveOfAKilledScriptIsRemovedByTheNextRecordingRun() throws Exception {
    Process killed = start("");
    killed.getOutputStream().close();
    awaitOutput(killed, "started");
    long standIn = killed.children().findFirst().orElseThrow().pid();
    killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    // Java outlives its script, and its archive stays under the script's name
    new ProcessBuilder("kill", "-TERM", Long.toString(standIn)).start().waitFor();
    ProcessHandle.of(standIn).ifPresent(p -> p.onExit().join());
    assertThat(archives()).containsExactly("backydb.jsa." + killed.pid() + ".tmp");

    Process next = start("0");
    next.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
    next.getOutputStream().close();
    assertThat(next.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(next.exitValue()).isZero();
    assertThat(archives()).containsExactly("backydb.jsa");
  }

  /** The options {@code bin/backy command} gave Java, with {@code BACKY_JAVA_OPTS} {@code opts}. */
  private String javaOptions(String command, String opts) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(home.resolve("bin/backy").toString(), command).redirectErrorStream(true);
    pb.environment().put("PATH", home.resolve("fakebin") + ":" + System.getenv("PATH"));
    pb.environment().put("SIGNALS", signals.toString());
    pb.environment().put("FAKE_EXIT", "0");
    pb.environment().put("BACKY_CDS", "off");
    if (opts == null) {
      pb.environment().remove("BACKY_JAVA_OPTS");
    } else {
      pb.environment().put("BACKY_JAVA_OPTS", opts);
    }
    Process script = pb.start();
    script.getOutputStream().close();
    assertThat(script.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("java options: "))
            .findFirst()
            .orElseThrow()
        + " ";
  }

  private Process start(String fakeExit) throws IOException {
    // as a service manager starts it: a signal the test's own JVM inherited as ignored (under
    // nohup, say) would stay ignored in the script, where bash cannot trap it
    ProcessBuilder pb =
        new ProcessBuilder(
                "env",
                "--default-signal=HUP,INT,TERM",
                home.resolve("bin/backy").toString(),
                "backup",
                "--config",
                "x.json")
            .redirectErrorStream(true);
    pb.environment().put("PATH", home.resolve("fakebin") + ":" + System.getenv("PATH"));
    pb.environment().put("SIGNALS", signals.toString());
    pb.environment().put("FAKE_EXIT", fakeExit);
    pb.environment().remove("BACKY_CDS");
    return pb.start();
  }

  /** Reads the script's output until a line equals {@code expected}; fails after 20 s. */
  private static void awaitOutput(Process p, String expected) throws IOException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    StringBuilder line = new StringBuilder();
    var out = p.getInputStream();
    while (Instant.now().isBefore(deadline)) {
      int c = out.read();
      if (c < 0) {
        break;
      }
      if (c != '\n') {
        line.append((char) c);
      } else if (line.toString().equals(expected)) {
        return;
      } else {
        line.setLength(0);
      }
    }
    throw new AssertionError("bin/backy never printed '" + expected + "'");
  }

  private List<String> archives() throws IOException {
    try (Stream<Path> files = Files.list(home.resolve("target"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.contains(".jsa"))
          .sorted()
          .toList();
    }
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
