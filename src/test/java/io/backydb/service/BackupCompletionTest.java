package io.backydb.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.backup.BackupCatalog;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.LocalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup is complete once its metadata sidecar is committed: a failure before that removes what
 * the run stored, a failure after it (in the exchange that called {@code direct:backup}, or in a
 * step after {@code retention}) leaves the backup listed and restorable.
 */
class BackupCompletionTest {

  static final String FAIL =
      "        - throwException: {exceptionType: java.lang.IllegalStateException,"
          + " message: \"%s\"}\n";

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

  /**
   * Inserts a failing step into the project's backup route, after the line holding {@code step}.
   */
  private void failAfter(String step, String message) throws Exception {
    Path route = fx.routes.resolve("backup.camel.yaml");
    List<String> out = new ArrayList<>();
    boolean done = false;
    for (String line : Files.readAllLines(route)) {
      out.add(line);
      if (line.contains("process: {ref: " + step + "}")) {
        out.add(String.format(FAIL, message).stripTrailing());
        done = true;
      }
    }
    assertThat(done).as("step %s in backup.camel.yaml", step).isTrue();
    Files.write(route, out);
  }

  private List<String> backupFiles() throws Exception {
    try (Stream<Path> s = Files.walk(fx.backups)) {
      return s.filter(Files::isRegularFile)
          .map(p -> fx.backups.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private List<BackupCatalog.Entry> listed() throws Exception {
    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries =
        new BackupCatalog(new LocalStorage(fx.backups)).list(problems);
    assertThat(problems).isEmpty();
    return entries;
  }

  /** Every file the sidecar names exists, with the size it recorded. */
  private void assertComplete(BackupMetadata m) throws Exception {
    assertThat(m.files()).isNotEmpty();
    for (BackupMetadata.StoredFile f : m.files()) {
      Path p = fx.backups.resolve(f.name());
      assertThat(p).exists();
      assertThat(Files.size(p)).isEqualTo(f.bytes());
    }
  }

  private void send(CamelContext ctx, String uri) {
    try (ProducerTemplate p = ctx.createProducerTemplate()) {
      p.requestBody(uri, fx.config.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void failureInTheCallingRouteAfterTheBackup_keepsTheBackupAndItsSidecar() throws Exception {
    // a user route: back up, then a step that fails (an HTTP ping to a monitor, say)
    Files.writeString(
        fx.routes.resolve("nightly.camel.yaml"),
        "- route:\n    id: nightly\n    from:\n      uri: direct:nightly\n      steps:\n"
            + "        - to: direct:backup\n"
            + String.format(FAIL, "monitor unreachable"));
    CamelContext ctx = fx.start().context();

    assertThatThrownBy(() -> send(ctx, "direct:nightly"))
        .isInstanceOf(CamelExecutionException.class)
        .hasRootCauseMessage("monitor unreachable");

    List<BackupCatalog.Entry> entries = listed();
    assertThat(entries).hasSize(1);
    assertComplete(entries.get(0).metadata());
  }

  @Test
  void failureAfterRetention_neverLeavesNothingRestorable() throws Exception {
    Files.writeString(fx.config, Files.readString(fx.config) + "  retention: {keep_last: 1}\n");
    failAfter("retention", "post-backup hook failed");
    CamelContext ctx = fx.start().context();

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> send(ctx, "direct:backup"))
          .isInstanceOf(CamelExecutionException.class)
          .hasRootCauseMessage("post-backup hook failed");
      // the second run's retention pruned the first: its own backup must survive
      List<BackupCatalog.Entry> entries = listed();
      assertThat(entries).hasSize(1);
      assertComplete(entries.get(0).metadata());
    }
  }

  @Test
  void failureBetweenStoreAndMetadata_removesWhatTheRunStored() throws Exception {
    failAfter("store", "between store and metadata");
    CamelContext ctx = fx.start().context();

    assertThatThrownBy(() -> send(ctx, "direct:backup"))
        .isInstanceOf(CamelExecutionException.class)
        .hasRootCauseMessage("between store and metadata");

    assertThat(listed()).isEmpty();
    assertThat(backupFiles()).isEmpty();
  }
}
