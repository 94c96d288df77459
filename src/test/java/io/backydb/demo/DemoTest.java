package io.backydb.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
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

  @Test
  void demoRunsOnAnEmbeddedMariaDb() throws Exception {
    String out = runDemo(true);
    assertThat(out).contains("Embedded MariaDB running on 127.0.0.1:");
    assertThat(out).contains("The restored copy is identical to the source.");
  }
}
