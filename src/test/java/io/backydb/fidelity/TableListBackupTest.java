package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.testing.CliRun;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup limited to some tables ({@code database.tables}) with the views feature takes the views
 * that read only those tables (and views it takes), and leaves out, saying so in its log, the views
 * that read a table it leaves out: restored, such a view could not be created, and the restore
 * failed at it after applying the tables. A full restore of such a backup succeeds.
 */
class TableListBackupTest {

  @TempDir Path dir;
  String source;
  String target;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("tablelist_src");
    target = TestServer.uniqueName("tablelist_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE SEQUENCE s START WITH 100",
        "CREATE TABLE a (id INT PRIMARY KEY DEFAULT (NEXT VALUE FOR s), x INT)",
        "CREATE TABLE b (id INT PRIMARY KEY, y INT)",
        "INSERT INTO a (x) VALUES (1), (2)",
        "INSERT INTO b VALUES (100, 1)",
        "CREATE VIEW v_a AS SELECT id, x FROM a",
        "CREATE VIEW v_b AS SELECT id FROM b",
        "CREATE VIEW v_ab AS SELECT a.id FROM a JOIN b ON a.id = b.id",
        "CREATE VIEW v_on_v_a AS SELECT id FROM v_a",
        "CREATE VIEW v_on_v_b AS SELECT id FROM v_b",
        "CREATE VIEW v_on_both AS SELECT v_a.id FROM v_a JOIN v_ab ON v_a.id = v_ab.id",
        // the name b only as a column alias, a table alias, a column and in a string: kept
        "CREATE VIEW v_names AS SELECT b.x AS b, '`b`' AS label FROM a b",
        "CREATE VIEW v_sub AS SELECT id FROM a WHERE id IN (SELECT id FROM v_a)");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aBackupOfSomeTablesTakesTheirViewsOnlyAndRestoresWhole() throws Exception {
    Path backup = dir.resolve("backup.yaml");
    Files.writeString(
        backup,
        server.databaseYaml("root", source)
            + "  tables: [a, s]\n  features: {tables: true, data: true, views: true}\n"
            + "storage:\n  storage_type: local\n");
    CliRun b = CliRun.backy(dir, dir.resolve("backups"), "backup", "--config", backup.toString());
    assertThat(b.exit()).as(b.err()).isZero();
    String location = b.out().lines().toList().get(1);

    Path restore = dir.resolve("restore.yaml");
    Files.writeString(
        restore,
        server.databaseYaml("root", target)
            + "backup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    CliRun r = CliRun.backy(dir, dir.resolve("backups"), "restore", "--config", restore.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(": tables, views, data;");

    String log = Files.readString(dir.resolve("backydb.log"));
    String prefix = "view `";
    String database = "` of database '" + source + "' is left out of the backup: it reads ";
    String end = ", so it could not be created where the backup is restored";
    assertThat(log)
        .contains(prefix + "v_b" + database + "table `b`, not in database.tables" + end)
        .contains(prefix + "v_ab" + database + "table `b`, not in database.tables" + end)
        .contains(prefix + "v_on_v_b" + database + "view `v_b`, left out as well" + end)
        .contains(prefix + "v_on_both" + database + "view `v_ab`, left out as well" + end);
    assertThat(log.lines().filter(l -> l.contains("is left out of the backup"))).hasSize(4);

    Map<String, String> restored = Fidelity.checksums(target);
    assertThat(restored).containsOnlyKeys("a", "s");
    assertThat(restored.get("a")).isEqualTo(Fidelity.checksums(source).get("a"));
    assertThat(RestoreCliTest.objects(target))
        .containsExactly("VIEW v_a", "VIEW v_names", "VIEW v_on_v_a", "VIEW v_sub");
    // the views work on the restored table
    for (String view : new String[] {"v_a", "v_names", "v_on_v_a", "v_sub"}) {
      assertThat(rows(target, view)).as(view).isEqualTo(rows(source, view)).isEqualTo(2);
    }
  }

  private static long rows(String db, String view) throws Exception {
    try (var c = server.connect(db);
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT COUNT(*) FROM `" + view + "`")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
