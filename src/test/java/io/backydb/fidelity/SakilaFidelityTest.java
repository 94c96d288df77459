package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acceptance: Sakila, backed up with every feature and restored into a fresh database, dumps
 * identically with mariadb-dump and has the same CHECKSUM TABLE for every table. The dataset is
 * read from {@code ../shared/datasets/sakila} (beside the project); the test skips where it is
 * absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SakilaFidelityTest {

  /** Beside the project; {@code -Dbacky.sakila=DIR} points elsewhere (e.g. from a worktree). */
  static final Path SAKILA =
      System.getProperty("backy.sakila") != null
          ? Path.of(System.getProperty("backy.sakila"))
          : Path.of("..", "shared", "datasets", "sakila");

  @TempDir Path dir;
  String source;
  List<String> sourceDump;
  Map<String, String> sourceChecksums;

  static boolean present() {
    return Files.isRegularFile(SAKILA.resolve("sakila-schema.sql"))
        && Files.isRegularFile(SAKILA.resolve("sakila-data.sql"));
  }

  @BeforeAll
  void loadSakila() throws Exception {
    if (!present() || !Fidelity.clientTools()) {
      return; // each test says why it is skipped
    }
    source = TestServer.uniqueName("sakila_src");
    server.createDatabase(source);
    Fidelity.load(
        source,
        Fidelity.renameDatabase("sakila", source),
        SAKILA.resolve("sakila-schema.sql"),
        SAKILA.resolve("sakila-data.sql"));
    sourceDump = Fidelity.dump(source);
    sourceChecksums = Fidelity.checksums(source);
    // what the comparison covers: routines, triggers and views are all in the dump
    assertThat(String.join("\n", sourceDump))
        .contains(
            "PROCEDURE `rewards_report`",
            "FUNCTION `get_customer_balance`",
            "TRIGGER `ins_film`",
            "VIEW `actor_info`");
  }

  @AfterAll
  void dropSakila() throws Exception {
    if (source != null) {
      server.dropDatabase(source);
    }
  }

  @ParameterizedTest(name = "multiple_files: {0}")
  @ValueSource(booleans = {false, true})
  void sakilaComesBackIndistinguishable(boolean multipleFiles) throws Exception {
    Fidelity.assumeClientTools();
    Assumptions.assumeTrue(
        present(),
        "Sakila fidelity test skipped: no dataset at "
            + SAKILA.toAbsolutePath().normalize()
            + " (expected sakila-schema.sql and sakila-data.sql from ../shared/datasets/sakila)");
    String target = TestServer.uniqueName("sakila_dst");
    try (BackyDB backy =
        new BackyDB(TestServer.environment(dir.resolve("b" + multipleFiles), dir))) {
      BackupResult b = backy.backup(Fidelity.backupConfig(source, multipleFiles));
      backy.restore(Fidelity.restoreConfig(target, b.location(), Map.of()));

      assertThat(sourceChecksums).hasSize(16);
      assertThat(Fidelity.checksums(target)).isEqualTo(sourceChecksums);
      Fidelity.assertSameDump(sourceDump, Fidelity.dump(target));
      // the trigger came after the data: film_text holds each film once
      assertThat(sourceChecksums.get("film_text")).startsWith("BASE TABLE 1000/");
    } finally {
      server.dropDatabase(target);
    }
  }
}
