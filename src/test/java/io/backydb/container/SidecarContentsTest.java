package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar that claims features, tables, sizes or a name its backup does not have was changed: a
 * restore believes its features and tables before it reads the backup, {@code list} and retention
 * its name and sizes. Verify and restore compare them with the dump once they have read it (exit
 * 1), and the target database is never created.
 */
class SidecarContentsTest {

  @TempDir static Path dir;
  static ContainerFixture f;
  static BackupResult backy;
  static BackupResult sql;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void backups() throws Exception {
    f = new ContainerFixture(dir);
    f.createSource();
    backy = f.backup("zstd", false, "hmac");
    sql = f.backup(null, false, "hmac");
  }

  @AfterAll
  static void drop() throws Exception {
    f.dropAll();
  }

  @AfterEach
  void noTarget() throws Exception {
    assertThat(ContainerFixture.server.databaseExists(f.target))
        .as("the target database must be left untouched")
        .isFalse();
  }

  /**
   * A copy of {@code b} whose sidecar {@code edit} changed: a {@code .backy} file under a new name,
   * plain SQL (known by its name) in a sub-folder of its own.
   */
  static Path edited(BackupResult b, Consumer<ObjectNode> edit) throws Exception {
    Path copy;
    if (b.location().endsWith(".sql")) {
      Path original = Path.of(b.location());
      Path folder =
          Files.createDirectories(original.resolveSibling("copy" + ++TamperedBackupTest.copies));
      copy = Files.copy(original, folder.resolve(original.getFileName()));
      Files.copy(sidecarOf(original), sidecarOf(copy));
    } else {
      copy = TamperedBackupTest.copy(b);
    }
    Path sidecar = sidecarOf(copy);
    ObjectNode meta = (ObjectNode) JSON.readTree(sidecar.toFile());
    edit.accept(meta);
    JSON.writerWithDefaultPrettyPrinter().writeValue(sidecar.toFile(), meta);
    return copy;
  }

  static Path sidecarOf(Path backup) {
    String name = backup.getFileName().toString();
    return backup.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".metadata.json");
  }

  /** Runs the command line with INTEGRITY_PASSWORD; returns its exit status, stdout and stderr. */
  static int cli(StringWriter out, StringWriter err, String... args) {
    return BackyCli.execute(
        f.environment(ContainerFixture.PASSWORD),
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        args);
  }

  /**
   * Verify and a restore that reads the dump's statements refuse {@code backup} with exactly {@code
   * problem}, exit 1. The restore is limited to the backup's own features, so that it reads them: a
   * whole-backup restore whose sidecar lists the tables feature compares only that the dump begins
   * with table definitions (format.md, SidecarTablesClaimTest).
   */
  static void refused(Path backup, String problem) throws Exception {
    String error = "backy: error: backup " + backup + " failed verification: " + problem + "\n";
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(cli(out, err, "verify", backup.toString())).as(out + " " + err).isEqualTo(1);
    assertThat(out).hasToString("FAILED " + backup + "\n  " + problem + "\n");
    assertThat(err).hasToString(error);
    err = new StringWriter();
    int code =
        cli(
            new StringWriter(),
            err,
            "restore",
            "--config",
            restoreYaml(backup).toString(),
            "--features",
            "tables,data");
    assertThat(code).as(err.toString()).isEqualTo(1);
    assertThat(err).hasToString(error);
  }

  static void intact(Path backup) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(cli(out, err, "verify", backup.toString())).as(out + " " + err).isZero();
    assertThat(out.toString()).startsWith("OK " + backup);
  }

  static Path restoreYaml(Path backup) throws Exception {
    return f.restoreYaml(backup);
  }

  static ArrayNode tables(ObjectNode meta) {
    return meta.withArray("tables");
  }

  @Test
  void aBackyFileWhoseSidecarClaimsWhatTheDumpDoesNotHold_isRefused() throws Exception {
    long dump = backy.metadata().sizes().dumpBytes();
    long stored = backy.metadata().sizes().storedBytes();
    String name = backy.metadata().name();
    Instant created = backy.metadata().startedAt();
    Map<String, Consumer<ObjectNode>> edits = new LinkedHashMap<>();
    edits.put(
        "its metadata sidecar says features tables, views, data, the dump holds tables, data"
            + " (the sidecar was changed)",
        m -> m.withArray("features").add("views"));
    edits.put(
        "its metadata sidecar says features tables, the dump holds tables, data (the sidecar was"
            + " changed)",
        m -> m.putArray("features").add("tables"));
    edits.put(
        "its metadata sidecar says tables include ghost, the dump holds no data of them (the"
            + " sidecar was changed)",
        m -> tables(m).addObject().put("name", "ghost").put("rows", 5).put("kind", "table"));
    edits.put(
        "its metadata sidecar says tables leave out orders, the dump holds the data of them (the"
            + " sidecar was changed)",
        m -> tables(m).remove(1));
    edits.put(
        "its metadata sidecar says dump size "
            + (dump + 1)
            + " bytes, the dump has "
            + dump
            + " bytes (the sidecar was changed)",
        m -> m.withObject("/sizes").put("dump_bytes", dump + 1));
    edits.put(
        "its metadata sidecar says stored size "
            + (stored * 2)
            + " bytes, the backup has "
            + stored
            + " bytes (the sidecar was changed)",
        m -> m.withObject("/sizes").put("stored_bytes", stored * 2));
    edits.put(
        "its metadata sidecar says started_at "
            + created.plusSeconds(3600)
            + ", the file's header says created "
            + created
            + " (the sidecar was changed)",
        m -> m.put("started_at", created.plusSeconds(3600).toString()));
    edits.put(
        "its metadata sidecar says name "
            + f.source
            + "_20200101T000000Z, a backup of database "
            + f.source
            + " started at "
            + created
            + " is named "
            + name
            + " (the sidecar was changed)",
        m -> m.put("name", f.source + "_20200101T000000Z"));
    edits.put(
        "its metadata sidecar says name "
            + name
            + ", a backup of database elsewhere started at "
            + created
            + " is named elsewhere"
            + name.substring(f.source.length())
            + " (the sidecar was changed)",
        m -> m.withObject("/source").put("database", "elsewhere"));
    assertThat(backy.metadata().features()).containsExactly("tables", "data");
    assertThat(backy.metadata().tables().get(1).name()).isEqualTo("orders");
    for (var edit : edits.entrySet()) {
      refused(edited(backy, edit.getValue()), edit.getKey());
    }
  }

  @Test
  void aPlainSqlBackupWhoseSidecarClaimsWhatTheDumpDoesNotHold_isRefused() throws Exception {
    refused(
        edited(sql, m -> m.withArray("features").add("triggers")),
        "its metadata sidecar says features tables, data, triggers, the dump holds tables, data"
            + " (the sidecar was changed)");
    refused(
        edited(sql, m -> tables(m).addObject().put("name", "ghost").put("kind", "table")),
        "its metadata sidecar says tables include ghost, the dump holds no data of them (the"
            + " sidecar was changed)");
    long dump = sql.metadata().sizes().dumpBytes();
    refused(
        edited(sql, m -> m.withObject("/sizes").put("dump_bytes", 7)),
        "its metadata sidecar says dump size 7 bytes, the dump has "
            + dump
            + " bytes (the sidecar was changed)");
  }

  /**
   * What a sidecar legitimately does not know is not held against it: one written before tables
   * recorded their kind leaves sequences out, one rewritten by key rotation from a sidecar without
   * sizes records a dump of 0 bytes, and two backups started in the same second are told apart by a
   * counter.
   */
  @Test
  void whatASidecarCannotKnow_isNotHeldAgainstIt() throws Exception {
    intact(Path.of(backy.location()));
    intact(Path.of(sql.location()));
    intact(
        edited(
            backy,
            m -> {
              tables(m).remove(1);
              tables(m).forEach(t -> ((ObjectNode) t).remove("kind"));
            }));
    intact(edited(backy, m -> m.withObject("/sizes").put("dump_bytes", 0)));
    intact(edited(backy, m -> m.remove("sizes")));
    intact(
        edited(sql, m -> m.put("name", m.path("name").asText().replaceFirst("-\\d+$", "") + "-2")));
  }

  /**
   * A restore believes the sidecar's tables and features before it reads the backup: a table the
   * backup genuinely lacks still fails at once (exit 2), while one that only an edited sidecar
   * claims, or a feature it claims, is found out by the verify pass (exit 1).
   */
  @Test
  void aRestoreLimitedToWhatOnlyTheSidecarClaims_isRefusedAsDamaged() throws Exception {
    Path intact = Path.of(backy.location());
    restoreRefused(
        intact, 2, "holds no table nosuch (it holds customers, orders)", "--tables", "nosuch");
    restoreRefused(
        edited(
            backy,
            m -> tables(m).addObject().put("name", "ghost").put("rows", 5).put("kind", "table")),
        1,
        "failed verification: its metadata sidecar says tables include ghost, the dump holds no"
            + " data of them (the sidecar was changed)",
        "--tables",
        "ghost");
    restoreRefused(
        edited(backy, m -> m.withArray("features").add("views")),
        1,
        "failed verification: its metadata sidecar says features tables, views, data, the dump"
            + " holds tables, data (the sidecar was changed)",
        "--features",
        "views");
  }

  /**
   * {@code backy restore} of {@code backup} with {@code options} exits {@code exit} with one line.
   */
  static void restoreRefused(Path backup, int exit, String error, String... options)
      throws Exception {
    StringWriter err = new StringWriter();
    String[] args = {"restore", "--config", restoreYaml(backup).toString()};
    args =
        java.util.stream.Stream.concat(Arrays.stream(args), Arrays.stream(options))
            .toArray(String[]::new);
    assertThat(cli(new StringWriter(), err, args)).as(err.toString()).isEqualTo(exit);
    assertThat(err).hasToString("backy: error: backup " + backup + " " + error + "\n");
  }
}
