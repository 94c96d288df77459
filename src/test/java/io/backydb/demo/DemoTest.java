package io.backydb.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, on the machine's server and on an embedded one. */
class DemoTest {

  @TempDir Path dir;

  private String runDemo(boolean embedded) throws Exception {
    StringWriter out = new StringWriter();
    boolean identical =
        new Demo(Environment.of(Map.of("DB_PASSWORD", "")), dir, new PrintWriter(out, true))
            .run(embedded);
    assertThat(identical).as(out.toString()).isTrue();
    return out.toString();
  }

  @Test
  void demoRestoresAnIdenticalCopy() throws Exception {
    String out = runDemo(false);
    assertThat(out).contains("identical").doesNotContain("DIFFERENT");
    assertThat(out.lines().filter(l -> l.contains("identical")).count()).isEqualTo(4);
  }

  private record Cli(int exit, String out, String err) {}

  private Cli cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        BackyCli.execute(
            Environment.of(env), new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(exit, out.toString(), err.toString());
  }

  /**
   * The demo ended with "Logs: .demo/logs", a folder it left empty (its log went to LOGGING_PATH,
   * or nowhere), and left two databases on the server without a word. The log it names holds what
   * it did, and it says which databases stay and how to drop them.
   */
  @Test
  void theDemoNamesTheLogItWroteAndTheDatabasesItLeaves() throws Exception {
    Cli c = cli(Map.of("DB_PASSWORD", ""), "demo", "--dir", dir.toString());
    assertThat(c.exit()).as(c.out() + c.err()).isZero();
    Path log = dir.resolve("logs").resolve("backydb.log");
    assertThat(c.out()).endsWith("Log: " + log + "\n");
    assertThat(Files.readString(log))
        .contains("demo: backed up database backy_demo")
        .contains("demo: restored ")
        .contains("demo: The restored copy is identical to the source.");
    TestServer server = TestServer.get();
    if (c.out().contains("Using the MySQL/MariaDB server on 127.0.0.1:3306")) {
      assertThat(c.out())
          .contains(
              "The databases backy_demo and backy_demo_restored stay on 127.0.0.1:3306 for you to"
                  + " look at")
          .contains("DROP DATABASE backy_demo; DROP DATABASE backy_demo_restored");
      assertThat(server.databaseExists("backy_demo_restored")).isTrue();
    }

    // with LOGGING_PATH set, that is where the log goes and what the demo names
    Path elsewhere = dir.resolve("elsewhere");
    c =
        cli(
            Map.of("DB_PASSWORD", "", "LOGGING_PATH", elsewhere.toString()),
            "demo",
            "--dir",
            dir.resolve("second").toString());
    assertThat(c.exit()).as(c.out() + c.err()).isZero();
    assertThat(c.out()).endsWith("Log: " + elsewhere.resolve("backydb.log") + "\n");
    assertThat(Files.readString(elsewhere.resolve("backydb.log")))
        .contains("demo: backed up database backy_demo");
    assertThat(dir.resolve("second/logs")).doesNotExist();
  }

  @Test
  void demoRunsOnAnEmbeddedMariaDb() throws Exception {
    String out = runDemo(true);
    assertThat(out).contains("Embedded MariaDB running on 127.0.0.1:");
    assertThat(out).contains("The restored copy is identical to the source.");
  }
}
