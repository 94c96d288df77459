package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.testing.CliRun;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A view whose table, column or function was dropped: the server still lists it, and SHOW CREATE
 * VIEW still gives its text (with a warning), but its CREATE VIEW fails on restore, after the
 * tables and before the data. The backup refuses it, saying which view and why, and stores nothing.
 */
class InvalidViewTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  Path backups;
  String db;
  String copy;
  String err;
  String out;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("badview");
    copy = TestServer.uniqueName("badview_copy");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE orders (id INT PRIMARY KEY, total INT, note VARCHAR(20))",
        "INSERT INTO orders VALUES (1, 10, 'a'), (2, 20, 'b')",
        "CREATE TABLE gone (id INT)",
        "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 15",
        // a view with a definer that does not exist is not invalid: it restores (with a note)
        "CREATE DEFINER=`nobody_" + db + "`@`%` VIEW by_nobody AS SELECT id FROM orders");
    backups = dir.resolve("backups");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(db);
    server.dropDatabase(copy);
  }

  private int run(String... args) {
    CliRun r = CliRun.backy(dir, backups, args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private Path config(String database, String features, boolean multipleFiles) throws Exception {
    Path f = dir.resolve("backup-" + database + ".yaml");
    Files.writeString(
        f,
        server.databaseYaml("root", database)
            + "  multiple_files: "
            + multipleFiles
            + "\n  features: {"
            + features
            + "}\nstorage:\n  storage_type: local\n");
    return f;
  }

  private List<Path> storedFiles() throws Exception {
    if (!Files.exists(backups)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(backups)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @ParameterizedTest(name = "{0}, multiple_files {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a dropped table | CREATE VIEW broken AS SELECT id FROM gone | false",
        "a dropped table | CREATE VIEW broken AS SELECT id FROM gone | true",
        "a dropped column | CREATE VIEW broken AS SELECT id, note FROM orders | false",
        "a dropped function | CREATE VIEW broken AS SELECT twice(total) AS t FROM orders | false",
      })
  void aViewOnSomethingDroppedIsRefusedNamingItAndNothingIsStored(
      String what, String view, boolean multipleFiles) throws Exception {
    server.execute(db, view);
    server.execute(
        db, "DROP TABLE gone", "ALTER TABLE orders DROP COLUMN note", "DROP FUNCTION twice");

    Path config = config(db, "tables: true, data: true, views: true", multipleFiles);
    assertThat(run("backup", "--config", config.toString())).as(out + err).isEqualTo(1);
    assertThat(err)
        .isEqualTo(
            "backy: error: view `broken` of database '"
                + db
                + "' could not be restored: View '"
                + db
                + ".broken' references invalid table(s) or column(s) or function(s) or"
                + " definer/invoker of view lack rights to use them; fix or drop the view, or"
                + " switch the views feature off\n");
    assertThat(storedFiles()).as("files left in LOCAL_PATH").isEmpty();
    if (Files.isDirectory(backups)) { // list refuses a LOCAL_PATH that does not exist
      if (Files.isDirectory(backups)) { // list refuses a LOCAL_PATH that does not exist
        assertThat(run("list", "--config", config.toString())).isZero();
        assertThat(out).startsWith("No backups");
      }
    }

    // the way out the message names: without views the backup is taken, and restores
    Path withoutViews = config(db, "tables: true, data: true", multipleFiles);
    assertThat(run("backup", "--config", withoutViews.toString())).as(err).isZero();
    String location = out.lines().reduce((a, b) -> b).orElseThrow();
    Path restore = dir.resolve("restore.yaml");
    Files.writeString(
        restore,
        server.databaseYaml("root", copy)
            + "backup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    assertThat(run("restore", "--config", restore.toString())).as(err).isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
  }

  @Test
  void validViewsAndAViewWhoseDefinerDoesNotExistAreBackedUpAndRestored() throws Exception {
    Path config = config(db, "tables: true, data: true, views: true", false);
    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    String dump = Files.readString(Path.of(out.lines().reduce((a, b) -> b).orElseThrow()));
    assertThat(dump).contains("VIEW `big_orders`").contains("VIEW `by_nobody`");
  }
}
