package io.backydb.format.spec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyDB;
import io.backydb.config.Environment;
import io.backydb.testing.CliRun;
import io.backydb.testing.TestServer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves {@code docs/format.md} true and complete: backups made by BackyDB in every layout, codec,
 * integrity and encryption are read by {@link SpecReader}, written from the spec alone, down to the
 * SQL, which must be the SQL BackyDB stores as plain files (and, applied, give back the source's
 * data); and the reader refuses what the spec says a reader must refuse, as BackyDB does.
 */
class FormatSpecConformanceTest {

  static final TestServer server = TestServer.get();
  static final String INTEGRITY_PASSWORD = "spec reader integrity";
  static final String KEY_PASSWORD = "spec reader keystore";

  @TempDir static Path dir;
  static String source;

  /** The plain SQL backups, and their SQL by file name: one file, and one per feature. */
  static SpecReader.Decoded plainSingle;

  static SpecReader.Decoded plainFolder;
  static Map<String, String> referenceSingle;
  static Map<String, String> referenceFolder;

  @BeforeAll
  static void createSourceAndReferences() throws Exception {
    source = TestServer.uniqueName("spec_src");
    server.createDatabase(source);
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    server.execute(
        source,
        "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(100), note TEXT, raw BLOB)",
        // over 1 MiB of SQL: several bundle data records and encryption segments
        "INSERT INTO people SELECT seq, CONCAT('Zoë 日本 😀 ', seq), REPEAT(MD5(seq), 20),"
            + " UNHEX('"
            + HexFormat.of().formatHex(everyByte)
            + "') FROM seq_1_to_2500",
        "CREATE VIEW named AS SELECT id, name FROM people",
        "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x",
        "CREATE TRIGGER people_bi BEFORE INSERT ON people FOR EACH ROW SET NEW.note = TRIM(NEW.note)",
        // stable row estimates (-- backy:rows) for every backup of the test
        "ANALYZE TABLE people");
    plainSingle = read(backup(false, null, false, "hmac"));
    plainFolder = read(backup(true, null, false, "checksum"));
    referenceSingle = sql(plainSingle);
    referenceFolder = sql(plainFolder);
  }

  @AfterAll
  static void dropSource() throws Exception {
    server.dropDatabase(source);
  }

  @Test
  void plainSqlBackupsAreReadAsTheSpecSays() throws Exception {
    // made and read (sizes, SHA-256, per-file and file-list integrity) in createSourceAndReferences
    assertThat(plainSingle.sidecar().get("layout").asText()).isEqualTo("sql");
    assertThat(plainFolder.sidecar().get("layout").asText()).isEqualTo("sql-files");
    assertThat(plainSingle.sidecar().has("format_version")).isFalse();
    assertThat(plainFolder.sidecar().get("compression").toString())
        .isEqualTo("{\"type\":\"none\",\"level\":null}");
    assertThat(plainFolder.sqlFiles().keySet())
        .allMatch(name -> name.startsWith(plainFolder.sidecar().get("name").asText() + "/"));
    assertThat(referenceSingle).containsOnlyKeys("dump.sql");
    assertThat(referenceFolder)
        .containsOnlyKeys("tables.sql", "functions.sql", "views.sql", "data.sql", "triggers.sql");
    assertThat(referenceSingle.get("dump.sql"))
        .contains("\n-- backy:format 2\n")
        .contains(new String("Zoë 日本 😀 2500".getBytes(UTF_8), ISO_8859_1))
        .endsWith("-- backy:complete\n");
    assertThat(referenceFolder.get("data.sql")).contains("\n-- backy:format 2\n");
  }

  @ParameterizedTest(name = "{0} multiple_files={1} encrypted={2} integrity={3}")
  @CsvSource({
    "zstd, false, false, ",
    "zip,  true,  false, hmac",
    "tar,  true,  false, checksum",
    "none, false, true,  hmac",
    "zip,  false, true,  checksum",
    "tar,  true,  true,  ",
    "zstd, true,  true,  hmac"
  })
  void backyFilesDecodeToTheSqlBackyDbStoresAsPlainFiles(
      String compression, boolean multipleFiles, boolean encrypted, String integrity)
      throws Exception {
    SpecReader.Decoded decoded =
        read(
            backup(
                multipleFiles,
                compression.equals("none") ? null : compression,
                encrypted,
                integrity));

    assertThat(decoded.header().get("compression").get("type").asText()).isEqualTo(compression);
    assertThat(decoded.header().get("compression").get("level").isNull())
        .isEqualTo(compression.equals("none"));
    assertThat(decoded.header().get("encryption").isNull()).isEqualTo(!encrypted);
    assertThat(decoded.sidecar().get("layout").asText()).isEqualTo("backy");
    if (multipleFiles) {
      // "applied in this order": the order of the bundle's files and the archive's entries
      assertThat(decoded.sqlFiles().keySet())
          .containsExactly("tables.sql", "functions.sql", "views.sql", "data.sql", "triggers.sql");
    }
    assertSameSql(sql(decoded), multipleFiles ? referenceFolder : referenceSingle);
  }

  @Test
  void decodedSqlRestoresTheSourceData() throws Exception {
    SpecReader.Decoded decoded = read(backup(false, "zstd", true, "hmac"));
    Path sql = Files.createDirectories(dir.resolve("backups/decoded")).resolve("decoded.sql");
    Files.write(sql, decoded.sqlFiles().get("dump.sql"));
    String target = TestServer.uniqueName("spec_dst");
    try (BackyDB backy = new BackyDB(env())) {
      Map<String, Object> restore = server.localRestoreConfig(target, sql.toString());
      restore.put("require_hmac", false); // a .sql without its sidecar carries no HMAC
      backy.restore(restore);
      assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    } finally {
      server.dropDatabase(target);
    }
  }

  @Test
  void aNewerFormatVersionIsRefusedByTheReaderAsByBackyDb() throws Exception {
    Path file = Path.of(backup(false, "zstd", false, null));
    byte[] bytes = Files.readAllBytes(file);
    bytes[9] = 2; // format version u16 at offset 8
    Path newer = Files.createDirectories(dir.resolve("newer")).resolve("newer.backy");
    Files.write(newer, bytes);

    assertThatThrownBy(() -> SpecReader.readBacky(bytes, secrets()))
        .hasMessageContaining("written by a newer BackyDB (format 2)");
    CliRun verify = CliRun.backy(dir.resolve("logs"), dir, "verify", newer.toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err())
        .contains(newer + " was written by a newer BackyDB (format 2); upgrade BackyDB to read it");
  }

  @Test
  void anUnknownCodecIsRefusedByTheReaderAsByBackyDb() throws Exception {
    byte[] bytes = Files.readAllBytes(Path.of(backup(false, "zstd", false, null)));
    int n = ByteBuffer.wrap(bytes, 10, 4).getInt();
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(Arrays.copyOfRange(bytes, 14, 14 + n));
    ((ObjectNode) header.get("compression")).put("type", "lz4");
    byte[] newJson = json.writeValueAsBytes(header);
    byte[] rest = Arrays.copyOfRange(bytes, 14 + n, bytes.length); // payload and trailer
    byte[] lz4 =
        ByteBuffer.allocate(14 + newJson.length + rest.length)
            .put(bytes, 0, 10)
            .putInt(newJson.length)
            .put(newJson)
            .put(rest)
            .array();
    Path file = Files.createDirectories(dir.resolve("lz4")).resolve("lz4.backy");
    Files.write(file, lz4);

    assertThatThrownBy(() -> SpecReader.readBacky(lz4, secrets()))
        .hasMessageContaining("unknown codec 'lz4'");
    CliRun verify = CliRun.backy(dir.resolve("logs"), dir, "verify", file.toString());
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err()).contains("is compressed with 'lz4', which this BackyDB cannot read");
  }

  @Test
  void theReaderUsesNoClassOfBackyDb() throws Exception {
    String reader =
        Files.readString(Path.of("src/test/java/io/backydb/format/spec/SpecReader.java"));
    assertThat(reader.replace("package io.backydb.format.spec;", "")).doesNotContain("io.backydb");
  }

  // ------------------------------------------------------------------------------- helpers

  /** Makes a backup of the source; returns its location (a file, or a folder). */
  static String backup(
      boolean multipleFiles, String compression, boolean encrypted, String integrity) {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(source));
    database.put("multiple_files", multipleFiles);
    database.put(
        "features",
        Map.of("tables", true, "data", true, "views", true, "functions", true, "triggers", true));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("database", database);
    config.put("storage", Map.of("storage_type", "local"));
    if (compression != null) {
      config.put("compression", Map.of("compression", true, "compression_type", compression));
    }
    if (encrypted) {
      config.put(
          "security",
          Map.of("encryption", true, "type", "keystore", "provider", "local", "key_size", 2048));
    }
    if (integrity != null) {
      config.put("integrity", Map.of("integrity_check", true, "integrity_type", integrity));
    }
    try (BackyDB backy = new BackyDB(env())) {
      return backy.backup(config).location();
    }
  }

  /** Reads a backup by its sidecar, which sits beside it: {@code NAME.metadata.json}. */
  static SpecReader.Decoded read(String location) throws Exception {
    Path p = Path.of(location);
    String name = p.getFileName().toString().replaceFirst("\\.(sql|backy)$", "");
    return SpecReader.read(p.resolveSibling(name + ".metadata.json"), secrets());
  }

  /**
   * The decoded SQL by bundle file name ({@code dump.sql}, {@code FEATURE.sql}), without the first
   * line, which records when the dump was taken.
   */
  static Map<String, String> sql(SpecReader.Decoded decoded) {
    boolean plain = decoded.header() == null;
    Map<String, String> out = new TreeMap<>();
    decoded
        .sqlFiles()
        .forEach(
            (name, bytes) -> {
              String text = new String(bytes, ISO_8859_1);
              assertThat(text).startsWith("-- BackyDB dump of database ");
              String file = plain && !name.contains("/") ? "dump.sql" : name;
              out.put(
                  file.substring(file.lastIndexOf('/') + 1),
                  text.substring(text.indexOf('\n') + 1));
            });
    return out;
  }

  /** Equal files, or a failure that names the first line that differs (not megabytes of SQL). */
  static void assertSameSql(Map<String, String> actual, Map<String, String> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (name, sql) -> {
          String[] a = actual.get(name).split("\n", -1);
          String[] e = sql.split("\n", -1);
          for (int i = 0; i < Math.min(a.length, e.length); i++) {
            assertThat(a[i]).as("%s, line %d", name, i + 2).isEqualTo(e[i]);
          }
          assertThat(a.length).as("%s, lines", name).isEqualTo(e.length);
        });
  }

  static SpecReader.Secrets secrets() {
    return new SpecReader.Secrets(INTEGRITY_PASSWORD, dir.resolve("keys"), KEY_PASSWORD);
  }

  static Environment env() {
    Map<String, String> vars = new HashMap<>();
    vars.put(Environment.DB_PASSWORD, "");
    vars.put(Environment.LOCAL_PATH, dir.resolve("backups").toString());
    vars.put(Environment.LOGGING_PATH, dir.resolve("logs").toString());
    vars.put(Environment.INTEGRITY_PASSWORD, INTEGRITY_PASSWORD);
    vars.put(Environment.LOCAL_KEY_STORE_PATH, dir.resolve("keys").toString());
    vars.put(Environment.PRIVATE_KEY_PASSWORD, KEY_PASSWORD);
    return Environment.of(vars);
  }
}
