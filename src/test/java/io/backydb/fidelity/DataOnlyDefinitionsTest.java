package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of {@code features: {data: true}} carries its tables' definitions as information ({@code
 * -- backy:definition} lines in its data section, comments to every client, never run): a restore
 * into existing tables checks their column types against them, as it does for a full backup, and
 * refuses before anything is applied a table that would cut or convert the backup's values. A
 * data-only dump written before those lines existed restores as it always did, unchecked.
 */
class DataOnlyDefinitionsTest {

  /** A comment whose text would be SQL, or end the line, were it not kept inside the directive. */
  static final String COMMENT = "a name; -- not SQL\\nnext line ''quoted'' \\\\ é";

  @TempDir Path dir;
  String source;
  String target;
  BackyDB backy;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("dd_src");
    target = TestServer.uniqueName("dd_dst");
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50) COMMENT '"
            + COMMENT
            + "',"
            + " n INT)",
        "CREATE TABLE note (id INT PRIMARY KEY, body TEXT)",
        "CREATE SEQUENCE seq",
        "INSERT INTO item VALUES (1, 'a fairly long name', 10), (2, 'x', 20)",
        "INSERT INTO note VALUES (1, 'é and \\\\ and ''')",
        "DO NEXTVAL(seq)");
    backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir));
    // the target: the same tables, restored from a full backup, then changed
    backy.restore(
        server.localRestoreConfig(
            target, backy.backup(Fidelity.backupConfig(source, false)).location()));
    server.execute(target, "INSERT INTO item VALUES (3, 'target''s', 30)");
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  String dataOnlyBackup() {
    return backy.backup(Fidelity.dataOnlyBackupConfig(source)).location();
  }

  Map<String, Object> replacing(String location) {
    return Fidelity.replacingConfig(target, location, Map.of());
  }

  static List<String> definitionLines(Path dump) throws Exception {
    return Files.readAllLines(dump, StandardCharsets.ISO_8859_1).stream()
        .filter(l -> l.startsWith("-- backy:definition "))
        .toList();
  }

  @Test
  void aNarrowerColumnIsRefusedBeforeAnythingIsApplied() throws Exception {
    String location = dataOnlyBackup();
    server.execute(
        target,
        "SET SESSION sql_mode = ''", // the target's own long name is cut
        "ALTER TABLE item MODIFY name VARCHAR(5)");
    Map<String, String> before = Fidelity.checksums(target);
    assertThatThrownBy(() -> backy.restore(replacing(location)))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
        .hasMessageEndingWith(
            " does not have the columns of the backup's rows, and this restore creates no tables"
                + " (the backup holds no CREATE TABLE statements): table `item` has column `name`"
                + " of type varchar(5) where the backup has varchar(50); make its tables match the"
                + " backup's, or restore table definitions too; nothing was applied")
        .hasMessageNotContaining("\n");
    // not even the table before it was emptied
    assertThat(Fidelity.checksums(target)).isEqualTo(before);

    // a column wide enough takes the values as they are
    server.execute(target, "ALTER TABLE item MODIFY name VARCHAR(60)");
    backy.restore(replacing(location));
    assertThat(server.rows(target, "SELECT id, name, n FROM item ORDER BY id"))
        .containsExactly("1|a fairly long name|10", "2|x|20");
    assertThat(server.rows(target, "SELECT body FROM note")).containsExactly("é and \\ and '");
  }

  @Test
  void theDefinitionsAreCommentsToTheMariadbClient() throws Exception {
    String location = dataOnlyBackup();
    // one line per table whose rows it holds (not the sequence), a comment to the client
    assertThat(definitionLines(Path.of(location)))
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).startsWith("-- backy:definition \"CREATE TABLE `item`"));
    server.execute(target, "TRUNCATE TABLE item", "TRUNCATE TABLE note");
    Fidelity.replay(target, Path.of(location));
    assertThat(Fidelity.checksums(target)).isEqualTo(Fidelity.checksums(source));
    assertThat(
            server.rows(
                target,
                "SELECT COLUMN_COMMENT FROM information_schema.COLUMNS"
                    + " WHERE TABLE_SCHEMA = '"
                    + target
                    + "' AND COLUMN_NAME = 'name'"))
        .containsExactly("a name; -- not SQL\nnext line 'quoted' \\ é");
  }

  @Test
  void aDataOnlyDumpWithoutDefinitionsRestoresAsBefore() throws Exception {
    Path dump = Path.of(dataOnlyBackup());
    // the dump as BackyDB wrote it before definitions were added, its sidecar true to it
    byte[] bytes = Files.readAllBytes(dump);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    String old = text.replaceAll("(?m)^-- backy:definition .*\n", "");
    assertThat(old).hasSizeLessThan(text.length()).doesNotContain("backy:definition");
    byte[] oldBytes = old.getBytes(StandardCharsets.ISO_8859_1);
    Files.write(dump, oldBytes);
    Path sidecar =
        dump.resolveSibling(
            dump.getFileName().toString().replaceFirst("\\.sql$", ".metadata.json"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode metadata = (ObjectNode) json.readTree(sidecar.toFile());
    ((ObjectNode) metadata.withArray("files").get(0))
        .put("bytes", oldBytes.length)
        .put(
            "sha256",
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(oldBytes)));
    metadata
        .withObject("/sizes")
        .put("dump_bytes", oldBytes.length)
        .put("stored_bytes", oldBytes.length);
    json.writeValue(sidecar.toFile(), metadata);

    backy.restore(replacing(dump.toString()));
    assertThat(Fidelity.checksums(target)).isEqualTo(Fidelity.checksums(source));

    // nothing tells the types of its rows: a narrower column is not held against it, as before
    server.execute(
        target,
        "SET SESSION sql_mode = ''",
        "ALTER TABLE item MODIFY name VARCHAR(5)",
        "INSERT INTO item VALUES (3, 'other', 30)");
    backy.restore(replacing(dump.toString()));
    assertThat(server.rows(target, "SELECT id, n FROM item ORDER BY id"))
        .containsExactly("1|10", "2|20");
    assertThat(Arrays.equals(Files.readAllBytes(dump), oldBytes)).isTrue();
  }
}
