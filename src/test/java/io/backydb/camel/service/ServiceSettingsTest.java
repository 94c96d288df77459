package io.backydb.camel.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.Environment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings of backy.properties and their checks. */
class ServiceSettingsTest {

  @TempDir Path routes;

  private ServiceSettings settings() {
    return ServiceSettings.load(routes, null, Environment.of(Map.of()));
  }

  @Test
  void requestsMaxBytes_isOneMebibyteByDefault_andMustBePositive() {
    assertThat(settings().requestsMaxBytes()).isEqualTo(1 << 20);
    assertThat(settings().set(ServiceSettings.REQUESTS_MAX_BYTES, "4096").requestsMaxBytes())
        .isEqualTo(4096);
    assertThatThrownBy(
            () -> settings().set(ServiceSettings.REQUESTS_MAX_BYTES, "0").requestsMaxBytes())
        .isInstanceOf(BackyException.class)
        .hasMessage("backy.requests.max-bytes must be at least 1 (bytes), found \"0\"");
    assertThatThrownBy(
            () -> settings().set(ServiceSettings.REQUESTS_MAX_BYTES, "1MB").requestsMaxBytes())
        .hasMessage("backy.requests.max-bytes must be a number, found \"1MB\"");
  }
}
