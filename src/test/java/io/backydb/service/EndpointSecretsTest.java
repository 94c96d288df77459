package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.camel.service.BackyService;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** An endpoint URI from the settings is logged without the secrets it carries. */
class EndpointSecretsTest {

  static final String SECRET = "TopSecret0123456789abcdef";

  @TempDir Path dir;
  ServiceFixture fx;
  ListAppender<ILoggingEvent> log;
  Logger root;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    log = new ListAppender<>();
    log.start();
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(log);
  }

  @AfterEach
  void tearDown() throws Exception {
    root.detachAppender(log);
    fx.close();
  }

  private static String text(ILoggingEvent e) {
    IThrowableProxy t = e.getThrowableProxy();
    return e.getFormattedMessage() + (t == null ? "" : "\n" + ThrowableProxyUtil.asString(t));
  }

  @Test
  void anEventThatCannotBePublished_logsTheEventsUriWithoutItsSecret() throws Exception {
    // an S3 endpoint that refuses the connection: every event fails to publish
    fx.properties(
        "backy.events.uri = aws2-s3://backy-events?accessKey=AKIAEXAMPLE&secretKey="
            + SECRET
            + "&region=us-east-1&overrideEndpoint=true&uriEndpointOverride=http://127.0.0.1:1"
            + "&forcePathStyle=true\n");
    BackyService service = fx.start();
    try (ProducerTemplate p = service.context().createProducerTemplate()) {
      p.sendBody("direct:backup", fx.config.toString());
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                log.list.stream()
                        .map(ILoggingEvent::getFormattedMessage)
                        .filter(m -> m.startsWith("cannot publish the"))
                        .count()
                    == 2);
    assertThat(log.list)
        .filteredOn(e -> e.getFormattedMessage().startsWith("cannot publish the"))
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("aws2-s3://backy-events"));
    assertThat(log.list).allSatisfy(e -> assertThat(text(e)).doesNotContain(SECRET));
  }
}
