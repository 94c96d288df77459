package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.camel.service.ServiceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/backy run} as its own process: a service that cannot start exits with a non-zero
 * status and says why on one line, so that a supervisor (systemd's {@code Restart=on-failure}) sees
 * the failure.
 */
class ServiceStartupTest {

  @TempDir Path dir;
  ServiceFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  /** A Camel Main listener, as a user may plug in with camel.main.mainListenerClasses. */
  public static final class FailingListener extends MainListenerSupport {
    @Override
    public void afterStart(BaseMainSupport main) {
      throw new IllegalStateException("the monitoring agent is not reachable");
    }
  }

  record Exit(int status, List<String> stderr, String stdout, String log) {}

  private Exit run(String properties) throws Exception {
    fx.properties(properties);
    return runWithRoutes(fx.routes);
  }

  private Exit runWithRoutes(Path routes) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "io.backydb.cli.BackyCli",
            "run",
            "--routes",
            routes.toString());
    Map<String, String> env = pb.environment();
    env.putAll(fx.envVars);
    Path err = dir.resolve("stderr");
    pb.redirectError(err.toFile()).redirectOutput(dir.resolve("stdout").toFile());
    Process p = pb.start();
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the service stopped by itself").isTrue();
    } finally {
      p.destroyForcibly();
    }
    return new Exit(
        p.exitValue(), Files.readAllLines(err), Files.readString(dir.resolve("stdout")), fx.log());
  }

  @Test
  void aReloadIntervalBelowOne_isAConfigErrorOnOneLine() throws Exception {
    Exit e = run(ServiceSettings.RELOAD_INTERVAL_MS + " = 0\n");

    assertThat(e.status()).isEqualTo(2);
    assertThat(e.stderr())
        .singleElement()
        .asString()
        .isEqualTo(
            "backy: error: backy.reload.interval-ms must be at least 1 (milliseconds), found \"0\"");
    // the one line is all: no ERROR line and stack trace on the console (stdout); the log file
    // keeps them
    assertThat(e.stdout()).isEmpty();
    assertThat(e.log()).contains("backy.reload.interval-ms must be at least 1").contains("\tat ");
  }

  @Test
  void aRoutesFolderThatIsNotThere_isAConfigErrorOnOneLineAndNothingElse() throws Exception {
    Path missing = dir.resolve("no-routes");
    Exit e = runWithRoutes(missing);

    assertThat(e.status()).isEqualTo(2);
    assertThat(e.stderr())
        .singleElement()
        .asString()
        .isEqualTo("backy: error: routes folder " + missing + " does not exist");
    assertThat(e.stdout()).isEmpty();
  }

  @Test
  void aRequestsConfigFolderThatIsNotThere_isAConfigErrorOnOneLine() throws Exception {
    Path missing = dir.resolve("no-such-folder");
    Exit e = run(ServiceSettings.REQUESTS_CONFIG_DIR + " = " + missing + "\n");

    assertThat(e.status()).isEqualTo(2);
    assertThat(e.stderr())
        .singleElement()
        .asString()
        .isEqualTo(
            "backy: error: backy.requests.config-dir " + missing + " is not an existing folder");
    assertThat(e.stdout()).isEmpty();
  }

  @Test
  void aFailureWhileStarting_exitsNonZeroWithTheReason() throws Exception {
    Exit e = run("camel.main.mainListenerClasses = " + FailingListener.class.getName() + "\n");

    assertThat(e.status()).isEqualTo(1);
    assertThat(e.stderr())
        .singleElement()
        .asString()
        .isEqualTo(
            "backy: error: the service could not start: the monitoring agent is not reachable");
  }
}
