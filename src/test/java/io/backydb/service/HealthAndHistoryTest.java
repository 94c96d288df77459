package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.backup.BackupResult;
import io.backydb.camel.service.BackyService;
import io.backydb.cli.BackyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health checks and Prometheus metrics over HTTP, and `backy history`. */
class HealthAndHistoryTest {

  @TempDir Path dir;
  ServiceFixture fx;
  int port;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    fx = new ServiceFixture(dir);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    fx.properties("backy.http.port = " + port + "\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void service_servesHealthAndBackupMetrics_andHistoryListsEveryRun() throws Exception {
    BackyService service = fx.start();
    HttpResponse<String> health = get("/observe/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(health.body()).contains("UP");

    try (ProducerTemplate p = service.context().createProducerTemplate()) {
      BackupResult ok = p.requestBody("direct:backup", fx.config.toString(), BackupResult.class);
      assertThat(ok.location()).startsWith(fx.backups.toString());
      try {
        p.requestBody("direct:backup", ServiceFixture.backupConfigYaml("no_such_db_x"));
      } catch (CamelExecutionException expected) {
        // recorded as a failed run
      }
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String metrics = get("/observe/metrics").body();
              assertThat(metrics)
                  .contains("backy_backups_total{status=\"succeeded\"} 1.0")
                  .contains("backy_backups_total{status=\"failed\"} 1.0")
                  .containsPattern("backy_backup_stored_bytes_total [1-9]")
                  .contains("backy_backup_duration_seconds_count{status=\"succeeded\"} 1");
            });

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        BackyCli.execute(
            fx.env(),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "history",
            "--routes",
            fx.routes.toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("STATUS")
        .contains("succeeded")
        .contains(fx.database)
        .contains(fx.backups.toString())
        .contains("failed")
        .contains("error: ")
        .contains("no_such_db_x");
  }
}
