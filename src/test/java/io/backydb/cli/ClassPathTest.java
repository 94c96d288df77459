package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is on the class path decides what reaches stdout before a command prints anything. */
class ClassPathTest {

  /**
   * The AWS SDK's HTTP client brought commons-logging 1.2, whose LogFactory then shadowed
   * spring-jcl's: its discovery found spring-jcl's service entry, which printed "Standard Commons
   * Logging discovery in action with spring-jcl: please remove commons-logging.jar ..." as the
   * first line on stdout of every S3 command. spring-jcl alone gives the same API, logging to
   * SLF4J.
   */
  @Test
  void commonsLoggingIsSpringJclSoNothingIsPrintedOnStdout() throws Exception {
    // the test class path also has s3proxy's jcl-over-slf4j, which prints nothing either
    List<URL> logFactories =
        Collections.list(
            getClass()
                .getClassLoader()
                .getResources("org/apache/commons/logging/LogFactory.class"));
    assertThat(logFactories).isNotEmpty().noneMatch(u -> u.toString().contains("commons-logging"));
    assertThat(
            getClass()
                .getClassLoader()
                .getResource("META-INF/maven/commons-logging/commons-logging/pom.properties"))
        .isNull();

    PrintStream before = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      org.apache.commons.logging.LogFactory.getLog(ClassPathTest.class).info("logged, not printed");
    } finally {
      System.setOut(before);
    }
    // (the test JVM's logback prints the log line itself on the console)
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .doesNotContain("Commons Logging discovery")
        .doesNotContain("commons-logging.jar");
  }
}
