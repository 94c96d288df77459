package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole-backup restore believes a sidecar that lists the {@code tables} feature: it then checks
 * no table of the target before it applies anything, since it creates them. A backup of {@code
 * data} only whose sidecar was edited to list {@code tables} is refused (exit 1) before a statement
 * runs, in every layout: the verify pass reads every statement of the dump and compares the
 * sidecar's features with the sections it found; a real backup of tables and data still restores.
 */
class SidecarTablesClaimTest {

  @TempDir static Path dir;
  static ContainerFixture f;

  /** A backup of {@code data} only, and one of tables and data, per layout. */
  static final Map<String, BackupResult> DATA_ONLY = new LinkedHashMap<>();

  static final Map<String, BackupResult> FULL = new LinkedHashMap<>();
  static final ObjectMapper JSON = new ObjectMapper();
  static int copies;

  /** The target's rows before each test, which a refused restore must leave as they are. */
  Map<String, String> before;

  @BeforeAll
  static void backups() throws Exception {
    f = new ContainerFixture(dir);
    f.createSource();
    for (Object[] layout :
        List.of(
            new Object[] {"zstd", false},
            new Object[] {"zip", true},
            new Object[] {null, false},
            new Object[] {null, true})) {
      String compression = (String) layout[0];
      boolean multipleFiles = (Boolean) layout[1];
      String name = (compression == null ? "sql" : compression) + (multipleFiles ? " files" : "");
      DATA_ONLY.put(name, backup(compression, multipleFiles, Map.of("data", true)));
      FULL.put(name, backup(compression, multipleFiles, null));
    }
  }

  static BackupResult backup(String compression, boolean multipleFiles, Map<String, ?> features) {
    Map<String, Object> config =
        ContainerFixture.backupConfig(f.source, compression, multipleFiles, "hmac");
    if (features != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> database = (Map<String, Object>) config.get("database");
      database.put("features", features);
    }
    try (BackyDB backy = new BackyDB(f.environment(ContainerFixture.PASSWORD))) {
      return backy.backup(config);
    }
  }

  /** The target has the source's tables, with other rows. */
  @BeforeEach
  void target() throws Exception {
    ContainerFixture.server.createDatabase(f.target);
    ContainerFixture.server.execute(
        f.target,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100), note TEXT)",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2))",
        "INSERT INTO customers VALUES (90001, 'already here', NULL)",
        "INSERT INTO orders VALUES (90001, 90001, 1.00), (90002, 90001, 2.00)");
    before = ContainerFixture.server.checksums(f.target);
  }

  @AfterEach
  void dropTarget() throws Exception {
    ContainerFixture.server.dropDatabase(f.target);
  }

  @AfterAll
  static void drop() throws Exception {
    f.dropAll();
  }

  @Test
  void aDataOnlyBackupWhoseSidecarClaimsTables_isRefusedBeforeAnythingIsApplied() throws Exception {
    for (var b : DATA_ONLY.entrySet()) {
      assertThat(b.getValue().metadata().features()).containsExactly("data");
      Path edited = copy(b.getValue(), m -> m.putArray("features").add("tables").add("data"));
      StringWriter err = new StringWriter();
      assertThat(restore(edited, err)).as(b.getKey() + ": " + err).isEqualTo(1);
      assertThat(err)
          .as(b.getKey())
          .hasToString(
              "backy: error: backup "
                  + edited
                  + " failed verification: its metadata sidecar says features tables, data, the"
                  + " dump holds data (the sidecar was changed)\n");
      assertThat(ContainerFixture.server.checksums(f.target)).as(b.getKey()).isEqualTo(before);
    }
    // the same backups, their sidecars as written, replace the rows
    restoredAs(DATA_ONLY, ContainerFixture.server.checksums(f.source));
  }

  @Test
  void aTargetThatDoesNotExist_isNotCreatedForAnEditedSidecar() throws Exception {
    ContainerFixture.server.dropDatabase(f.target);
    for (var b : DATA_ONLY.entrySet()) {
      Path edited = copy(b.getValue(), m -> m.withArray("features").insert(0, "tables"));
      StringWriter err = new StringWriter();
      assertThat(restore(edited, err)).as(b.getKey() + ": " + err).isEqualTo(1);
      assertThat(err.toString())
          .as(b.getKey())
          .contains(
              "its metadata sidecar says features tables, data, the dump holds data (the sidecar was changed)");
      assertThat(ContainerFixture.server.databaseExists(f.target)).as(b.getKey()).isFalse();
    }
  }

  @Test
  void aBackupOfTablesAndData_isRestoredWhole() throws Exception {
    for (var b : FULL.values()) {
      assertThat(b.metadata().features()).containsExactly("tables", "data");
    }
    restoredAs(FULL, ContainerFixture.server.checksums(f.source));
  }

  /** Each of {@code backups}, restored whole, leaves the target's tables with {@code rows}. */
  static void restoredAs(Map<String, BackupResult> backups, Map<String, String> rows)
      throws Exception {
    for (var b : backups.entrySet()) {
      StringWriter err = new StringWriter();
      assertThat(restore(Path.of(b.getValue().location()), err))
          .as(b.getKey() + ": " + err)
          .isZero();
      assertThat(ContainerFixture.server.checksums(f.target)).as(b.getKey()).isEqualTo(rows);
    }
  }

  /**
   * {@code backy restore --replace-existing} of the whole {@code backup} into the target; returns
   * its exit status.
   */
  static int restore(Path backup, StringWriter err) throws Exception {
    return BackyCli.execute(
        // the storage is the backup's folder: a local storage looks one folder deep for its files
        f.environment(ContainerFixture.PASSWORD, backup.getParent()),
        new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true),
        "restore",
        "--config",
        f.restoreYaml(backup).toString(),
        "--replace-existing");
  }

  /**
   * A copy of {@code b} (a file, or a folder of files) and its sidecar, under the same names in a
   * folder of their own (where {@link #restore} finds them), the sidecar changed by {@code edit}.
   */
  static Path copy(BackupResult b, java.util.function.Consumer<ObjectNode> edit) throws Exception {
    Path original = Path.of(b.location());
    String sidecarName = b.metadata().name() + ".metadata.json";
    Path folder = Files.createDirectories(dir.resolve("claims-" + ++copies));
    Path copy = folder.resolve(original.getFileName());
    if (Files.isDirectory(original)) {
      Files.createDirectory(copy);
      try (Stream<Path> files = Files.list(original)) {
        for (Path file : files.toList()) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
    } else {
      Files.copy(original, copy);
    }
    Path sidecar = folder.resolve(sidecarName);
    ObjectNode meta = (ObjectNode) JSON.readTree(original.resolveSibling(sidecarName).toFile());
    edit.accept(meta);
    JSON.writerWithDefaultPrettyPrinter().writeValue(sidecar.toFile(), meta);
    return copy;
  }
}
