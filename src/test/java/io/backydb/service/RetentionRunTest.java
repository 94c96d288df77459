package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backydb.backup.BackupResult;
import io.backydb.camel.BackyExchange;
import io.backydb.format.BackupMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention step of the project's backup route, in a running service. */
class RetentionRunTest {

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

  @Test
  void aLongBackupOvertakenByALaterOne_isNotPrunedByItsOwnRetention() throws Exception {
    Files.writeString(fx.config, Files.readString(fx.config) + "  retention: {keep_last: 1}\n");
    // a backup that waits after its start time is taken when asked to (header "slow", in ms)
    Path route = fx.routes.resolve("backup.camel.yaml");
    Files.writeString(
        route,
        Files.readString(route)
            .replace(
                "        - process: {ref: dump}",
                "        - delay: {simple: \"${header.slow}\", asyncDelayed: false}\n"
                    + "        - process: {ref: dump}"));
    CamelContext ctx = fx.start().context();
    ctx.getInflightRepository().setInflightBrowseEnabled(true);

    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      CompletableFuture<BackupResult> slow =
          p.asyncRequestBodyAndHeader(
              "direct:backup", fx.config.toString(), "slow", 4000, BackupResult.class);
      // the slow run has its job (and its start time) and waits before its dump
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  ctx.getInflightRepository().browse("backup").stream()
                      .anyMatch(
                          i -> i.getExchange().getProperty(BackyExchange.BACKUP_JOB) != null));
      BackupResult fast =
          p.requestBodyAndHeader(
              "direct:backup", fx.config.toString(), "slow", 0, BackupResult.class);
      BackupResult overtaken = slow.get(60, TimeUnit.SECONDS);

      assertThat(overtaken.metadata().startedAt()).isBefore(fast.metadata().startedAt());
      // the slow run's retention found a newer backup (the fast one) and kept its own anyway
      for (BackupResult r : new BackupResult[] {overtaken, fast}) {
        assertThat(Path.of(r.location())).exists();
        assertThat(fx.backups.resolve(BackupMetadata.sidecarName(r.metadata().name()))).exists();
      }
    }
    assertThat(fx.backupCount()).isEqualTo(2);
  }
}
