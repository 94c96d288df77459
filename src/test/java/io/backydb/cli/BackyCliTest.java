package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user drives it: config files, environment, output and exit codes. */
class BackyCliTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  Path backups;
  String db;
  String copy;
  Map<String, String> env = new HashMap<>();
  String out;
  String err;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("cli");
    copy = TestServer.uniqueName("cli_copy");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t VALUES (1,'a'),(2,'b')");
    backups = dir.resolve("backups");
    env.put("DB_PASSWORD", "");
    env.put("LOGGING_PATH", dir.toString());
    env.put("LOCAL_PATH", backups.toString());
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(db);
    server.dropDatabase(copy);
  }

  int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        BackyCli.execute(
            Environment.of(env), new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  Path backupConfig(String database) throws Exception {
    Path f = dir.resolve("backup-" + database + ".yaml");
    Files.writeString(
        f,
        "database:\n  host: "
            + server.host()
            + "\n  port: "
            + server.port()
            + "\n  user: root\n  db_name: "
            + database
            + "\nstorage:\n  storage_type: local\n");
    return f;
  }

  Path restoreConfig(String location) throws Exception {
    Path f = dir.resolve("restore.json");
    Files.writeString(
        f,
        "{\"database\": {\"host\": \""
            + server.host()
            + "\", \"port\": "
            + server.port()
            + ", \"user\": \"root\", \"db_name\": \""
            + copy
            + "\"}, \"backup_path\": \""
            + location
            + "\", \"storage\": {\"storage_type\": \"local\"}}");
    return f;
  }

  static String lastLine(String s) {
    List<String> lines = s.lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Test
  void backupListVerifyRestore() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);
    assertThat(Path.of(location)).exists().hasParent(backups);

    assertThat(run("list", "--config", backupConfig(db).toString())).isZero();
    assertThat(out)
        .startsWith("Backups in " + backups + ", newest first:\n")
        .contains(listed(location))
        .contains(db);

    assertThat(run("verify", location)).isZero();
    assertThat(out).startsWith("OK ");

    assertThat(run("restore", "--config", restoreConfig(location).toString())).as(err).isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));

    // the log file in LOGGING_PATH keeps what each run did
    assertThat(Files.readString(dir.resolve("backydb.log")))
        .contains("Backed up database " + db + ": ")
        .contains(location)
        .contains("Restored " + location + " into database " + copy + ": ");
  }

  @Test
  void summaryLinesPrintTheSameDigitsWhateverTheLocale() throws Exception {
    server.execute(db, "INSERT INTO t SELECT seq, 'x' FROM seq_3_to_1502");
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY); // would print 1502 rows and "0,1 s"
    try {
      assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
      assertThat(out.lines().findFirst().orElseThrow())
          .matches(
              "Backed up database "
                  + db
                  + ": 1 table\\(s\\), 1,502 row\\(s\\), .* in \\d+\\.\\d s");
      String location = lastLine(out);
      assertThat(run("restore", "--config", restoreConfig(location).toString())).as(err).isZero();
      assertThat(out.strip())
          .matches("Restored .*; \\d+ statement\\(s\\), 1,502 row\\(s\\) in \\d+\\.\\d s");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void verifyFailsOnATruncatedOrChangedBackup() throws Exception {
    run("backup", "--config", backupConfig(db).toString());
    Path file = Path.of(lastLine(out));
    byte[] bytes = Files.readAllBytes(file);

    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 30));
    assertThat(run("verify", file.toString())).isEqualTo(1);
    // the report on stdout, as the command's output; the error on stderr, one line as always
    assertThat(out).startsWith("FAILED " + file + "\n").contains("truncated");
    assertThat(err)
        .startsWith("backy: error: backup " + file + " failed verification: ")
        .contains("truncated")
        .endsWith("\n");
    assertThat(err.lines().count()).isEqualTo(1);

    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertThat(run("verify", file.toString())).isEqualTo(1);
    assertThat(out).contains("SHA-256");

    assertThat(run("restore", "--config", restoreConfig(file.toString()).toString())).isEqualTo(1);
    assertThat(err).contains("failed verification");
    assertThat(server.databaseExists(copy)).as("nothing reached the database").isFalse();
  }

  /**
   * A plain .sql backup whose sidecar is gone has nothing its content can be compared with: verify
   * said "OK ... intact" of one that had been changed. It is complete, but unverified (exit 1); a
   * restore of it still runs (it may be a user's own dump), without claiming it was verified.
   */
  @Test
  void aPlainSqlBackupWithoutItsSidecarIsUnverifiedNotIntactAndStillRestored() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    Path file = Path.of(lastLine(out));
    String name = file.getFileName().toString().replaceAll("\\.sql$", "");
    Path sidecar = backups.resolve(name + ".metadata.json");
    Files.delete(sidecar);
    Files.writeString(file, Files.readString(file).replace("'b'", "'X'"));

    assertThat(run("verify", file.toString())).isEqualTo(1);
    assertThat(out)
        .startsWith("UNVERIFIED " + file + ": ")
        .contains(
            "complete, but there is nothing to check its content against (no metadata sidecar "
                + sidecar
                + ", ")
        .doesNotContain("intact")
        .doesNotContain("OK");
    assertThat(err)
        .startsWith(
            "backy: error: backup "
                + file
                + " cannot be verified: it is complete, but there is nothing to check its"
                + " content against (no metadata sidecar "
                + sidecar);
    assertThat(err.lines().count()).isEqualTo(1);

    assertThat(run("restore", "--config", restoreConfig(file.toString()).toString()))
        .as(err)
        .isZero();
    assertThat(out).startsWith("Restored " + file).doesNotContainIgnoringCase("verified");
    assertThat(err).isEmpty();
    try (var c = server.connect(copy);
        var rs = c.createStatement().executeQuery("SELECT v FROM t WHERE id = 2")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("the changed file was restored as it is").isEqualTo("X");
    }
    assertThat(Files.readString(dir.resolve("backydb.log")))
        .contains("backup " + file + " is restored unverified");
  }

  @Test
  void aBackupHostNeedsOnlyThePublicKey() throws Exception {
    Path keys = dir.resolve("keys");
    env.put("LOCAL_KEY_STORE_PATH", keys.toString());
    Path config = dir.resolve("encrypted.yaml");
    Files.writeString(
        config,
        Files.readString(backupConfig(db))
            + "security:\n  encryption: true\n  type: keystore\n  provider: local\n"
            + "  key_size: 2048\n");

    assertThat(run("backup", "--config", config.toString())).isEqualTo(2);
    assertThat(err.strip())
        .isEqualTo(
            "backy: error: environment variable PRIVATE_KEY_PASSWORD is not set (required to"
                + " protect the keystore's private keys)");
    assertThat(backups)
        .satisfiesAnyOf(b -> assertThat(b).doesNotExist(), b -> assertThat(b).isEmptyDirectory());

    env.put("PRIVATE_KEY_PASSWORD", "key password");
    assertThat(run("keys", "generate", "--config", config.toString())).as(err).isZero();
    String keyId = lastLine(out);
    // the private key and its password live where restores run, not on the backup host
    Path privateKey = keys.resolve("backydb-" + keyId + ".key.pem");
    Path vault = Files.createDirectory(dir.resolve("vault"));
    Files.move(privateKey, vault.resolve(privateKey.getFileName()));
    env.remove("PRIVATE_KEY_PASSWORD");

    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    String location = lastLine(out);
    assertThat(run("restore", "--config", restoreConfig(location).toString())).isEqualTo(2);
    // named by its location: the backup's id alone (a UUID in its header) cannot be looked up
    assertThat(err.strip())
        .startsWith(
            "backy: error: " + location + ": key " + keyId + " that wrapped the data key of backup")
        .doesNotContain("\n");
    assertThat(server.databaseExists(copy)).as("nothing restored").isFalse();
    assertThat(run("verify", location)).isNotZero();
    assertThat(err.strip())
        .startsWith(
            "backy: error: " + location + ": key " + keyId + " that wrapped the data key of backup")
        .doesNotContain("\n");

    Files.move(vault.resolve(privateKey.getFileName()), privateKey);
    env.put("PRIVATE_KEY_PASSWORD", "key password");
    assertThat(run("restore", "--config", restoreConfig(location).toString())).as(err).isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
  }

  /**
   * Encryption without a key's location is refused as the config loads: one line naming the file
   * and the key, exit 2, before any connection (the server's port here has nothing listening).
   */
  @Test
  void encryptionWithoutTypeOrKeyId_isOneLineNamingTheFile_beforeAnyConnection() throws Exception {
    Path config = dir.resolve("no-key.yaml");
    for (String[] c :
        new String[][] {
          {"{encryption: true, provider: local}", "security.type is required with encryption"},
          {"{encryption: true, type: kms}", "security.key_id is required with security.type kms"}
        }) {
      Files.writeString(
          config,
          "database: {host: 127.0.0.1, port: 1, user: root, db_name: "
              + db
              + "}\nstorage: {storage_type: local}\nsecurity: "
              + c[0]
              + "\n");
      assertThat(run("backup", "--config", config.toString())).as(err).isEqualTo(2);
      assertThat(err.strip())
          .startsWith("backy: error: " + config + ": " + c[1])
          .doesNotContain("\n");
      assertThat(backups).doesNotExist();
    }
  }

  @Test
  void missingEnvironmentVariableIsExit2AndWritesNothing() throws Exception {
    env.remove("DB_PASSWORD");
    assertThat(run("backup", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err.strip())
        .isEqualTo(
            "backy: error: environment variable DB_PASSWORD is not set (required always; it may be empty)");
    assertThat(backups).doesNotExist();
  }

  @Test
  void loggingPathIsRequiredByBackupAndRestoreAndTheErrorSaysSo() throws Exception {
    env.remove("LOGGING_PATH");
    String expected =
        "backy: error: environment variable LOGGING_PATH is not set (required by backup and"
            + " restore: the folder for BackyDB's log file)";
    assertThat(run("backup", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err.strip()).isEqualTo(expected);
    assertThat(run("restore", "--config", restoreConfig("x.sql").toString())).isEqualTo(2);
    assertThat(err.strip()).isEqualTo(expected);
    assertThat(backups).doesNotExist();
    assertThat(server.databaseExists(copy)).isFalse();
  }

  @Test
  void aBadValueInASwitchedOffSectionIsExit2AndBacksNothingUp() throws Exception {
    Path f = dir.resolve("off.yaml");
    Files.writeString(
        f,
        Files.readString(backupConfig(db))
            + "compression: {compression: false, compression_type: zip, compression_level: 99}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: "
                + f
                + ": compression.compression_level 99 is out of range for zip (0 to 9)\n");
    assertThat(backups).doesNotExist();
  }

  /**
   * integrity_check without integrity_type was refused only when the backup ran, in a line that
   * named no file, and list, prune and keys took the config.
   */
  @Test
  void integrityCheckWithoutItsTypeIsRefusedWhenTheConfigIsLoaded() throws Exception {
    Path f = dir.resolve("integrity.yaml");
    Files.writeString(
        f, Files.readString(backupConfig(db)) + "integrity: {integrity_check: true}\n");
    String expected =
        "backy: error: "
            + f
            + ": integrity.integrity_type is required when integrity_check is on: hmac or"
            + " checksum\n";
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo(expected);
    assertThat(run("keys", "list", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo(expected);
    assertThat(backups).doesNotExist();
  }

  @Test
  void badConfigIsExit2WithOneLine() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(
        f,
        "{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\", \"prot\": 1}, \"storage\": {\"storage_type\": \"local\"}}");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err.lines().count()).isEqualTo(1);
    assertThat(err).contains("unknown key 'database.prot'");
    assertThat(backups).doesNotExist();
  }

  /**
   * A config that is no mapping said "expected a mapping of settings at the top level" whether the
   * file was empty or a list, and a folder given as the config was refused for its name.
   */
  @Test
  void aConfigThatIsEmptyAListOrAFolderIsExit2WithOneLineSayingWhich() throws Exception {
    Map<String, String> problems =
        Map.of(
            "",
            " holds no settings: expected a mapping of settings (database, storage, ...)",
            "# nothing yet\n",
            " holds no settings: expected a mapping of settings (database, storage, ...)",
            "- database: {host: h}\n",
            ": expected a mapping of settings at the top level, not a list",
            "backup\n",
            ": expected a mapping of settings at the top level, not a single value");
    for (Map.Entry<String, String> p : problems.entrySet()) {
      Path f = Files.writeString(dir.resolve("config.yaml"), p.getKey());
      assertThat(run("backup", "--config", f.toString())).as(p.getKey()).isEqualTo(2);
      assertThat(err).isEqualTo("backy: error: " + f + p.getValue() + "\n");
    }
    Path folder = Files.createDirectories(dir.resolve("etc-backydb"));
    assertThat(run("list", "--config", folder.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: config file " + folder + " is a folder: give the config file in it\n");
    assertThat(out).isEmpty();
    assertThat(backups).doesNotExist();
  }

  @Test
  void anEmptyRequiredKeyOrABadPortIsExit2WithOneLineNamingTheKey() throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(
        f, "database:\n  host:\n  user: root\n  db_name: x\nstorage: {storage_type: local}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + f + ": database.host must not be empty\n");

    Files.writeString(
        f, "database: {host: h, user: root, db_name: ''}\nstorage: {storage_type: local}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + f + ": database.db_name must not be empty\n");

    Files.writeString(
        f,
        "database: {host: h, port: 99999999999, user: root, db_name: x}\n"
            + "storage: {storage_type: local}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: "
                + f
                + ": database.port must be between 1 and 65535 (got 99999999999)\n");

    Path r = dir.resolve("restore.yaml");
    Files.writeString(
        r,
        "database: {host: h, user: root, db_name: x}\nbackup_path:\nstorage: {storage_type: local}\n");
    assertThat(run("restore", "--config", r.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + r + ": backup_path must not be empty\n");
    assertThat(backups).doesNotExist();
  }

  @Test
  void aKeyGivenTwiceIsExit2WithOneLineNamingTheKey() throws Exception {
    // the second db_name used to win silently: the backup would have been of another database
    Path f = dir.resolve("twice.yaml");
    Files.writeString(f, Files.readString(backupConfig(db)) + "database:\n  db_name: other\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + f + ": duplicate key 'database' at line 8\n");
    assertThat(backups).doesNotExist();
  }

  /**
   * The columns of list were fixed widths: a backup with all seven features pushed the rest of its
   * line out of line with the header and the other backups. And list did not say how a backup was
   * stored: a plain one, a compressed one with a checksum and an encrypted one with an HMAC looked
   * alike but for the name's extension; it now says so in FORMAT, from the sidecar. Each line fits
   * in 100 columns (it repeated the folder's full path), and the name it gives is one a restore
   * takes as backup_path.
   */
  @Test
  void listColumnsLineUpWhateverTheFeatures_andSayHowEachBackupIsStored() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String plain = lastLine(out);
    String all =
        backupWith(
            "\n  features: {tables: true, data: true, views: true, functions: true,"
                + " procedures: true, triggers: true, events: true}\nstorage:",
            "");
    String folder = backupWith("\n  multiple_files: true\nstorage:", "");
    String checksum =
        backupWith(
            "\nstorage:",
            "compression: {compression: true, compression_type: zstd}\n"
                + "integrity: {integrity_check: true, integrity_type: checksum}\n");
    String sealed = sealedBackup("tar");

    assertThat(run("list", "--config", backupConfig(db).toString())).as(err).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).isEqualTo("Backups in " + backups + ", newest first:");
    String header = lines.get(1);
    assertThat(header.split(" +"))
        .containsExactly("BACKUP", "DATABASE", "FEATURES", "ROWS", "SIZE", "FORMAT");
    Map<String, String> expected =
        Map.of(
            listed(plain),
            "sql",
            listed(all),
            "sql",
            listed(folder) + "/",
            "sql files",
            listed(checksum),
            "zstd+checksum",
            listed(sealed),
            "tar+aes:local+hmac");
    for (String line : lines.subList(2, 7)) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(100);
      String name = line.substring(0, line.indexOf(' '));
      assertThat(expected).as(line).containsKey(name);
      assertThat(line.substring(header.indexOf("FORMAT"))).as(line).isEqualTo(expected.get(name));
      assertThat(line.substring(header.indexOf("FEATURES")))
          .as(line)
          .startsWith(name.equals(listed(all)) ? "all " : "tables,data ");
      // SIZE is right-aligned: its cell ends where the title does
      int sizeEnd = header.indexOf("SIZE") + "SIZE".length();
      assertThat(line.charAt(sizeEnd - 1)).as(line).isNotEqualTo(' ');
      assertThat(line.charAt(sizeEnd)).as(line).isEqualTo(' ');
    }

    // the name list gives is what a restore takes as backup_path, a folder's with its '/'
    env.remove("INTEGRITY_PASSWORD"); // it would require an HMAC of the plain folder backup
    assertThat(run("restore", "--config", restoreConfig(listed(folder) + "/").toString()))
        .as(err)
        .isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
  }

  /**
   * {@code list --json}: what the table shows, and what a script needs besides (the location, ISO
   * times in UTC, sizes in bytes, each part of the format, whether the sidecar is there), as one
   * JSON array with the same keys on every element, incomplete backups last.
   */
  @Test
  void listJsonGivesEveryBackupWithTheSameKeys_andAnEmptyStorageIsAnEmptyArray() throws Exception {
    Files.createDirectories(backups);
    assertThat(run("list", "--config", backupConfig(db).toString(), "--json")).as(err).isZero();
    assertThat(out).isEqualTo("[]\n");
    assertThat(err).isEmpty();

    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String plain = lastLine(out);
    String folder = backupWith("\n  multiple_files: true\nstorage:", "");
    String sealed = sealedBackup("zstd");
    // a folder backup stopped before its sidecar (named as one of long ago: a backup of this second
    // may take "<name>-1")
    Path stopped = backups.resolve(db + "_20200101T000000Z");
    Files.createDirectories(stopped);
    Files.copy(Path.of(folder).resolve("tables.sql"), stopped.resolve("tables.sql"));

    assertThat(run("list", "--config", backupConfig(db).toString())).as(err).isZero();
    List<String> tableNames = out.lines().skip(2).map(l -> l.substring(0, l.indexOf(' '))).toList();
    java.time.Instant before = java.time.Instant.now();
    assertThat(run("list", "--config", backupConfig(db).toString(), "--json")).as(err).isZero();
    assertThat(err).isEmpty();
    com.fasterxml.jackson.databind.JsonNode list =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
    assertThat(list.isArray()).isTrue();
    assertThat(list).hasSize(4);
    List<String> keys =
        List.of(
            "name",
            "location",
            "has_metadata",
            "being_written",
            "folder",
            "database",
            "started_at",
            "completed_at",
            "last_written_at",
            "features",
            "rows",
            "size_bytes",
            "dump_bytes",
            "file_count",
            "format",
            "layout",
            "compression",
            "encryption_provider",
            "encryption_key_id",
            "integrity");
    for (com.fasterxml.jackson.databind.JsonNode b : list) {
      List<String> names = new java.util.ArrayList<>();
      b.fieldNames().forEachRemaining(names::add);
      assertThat(names).as(b.toString()).isEqualTo(keys);
    }
    // the same backups, in the same order and under the same names as the table's
    assertThat(list.findValuesAsText("name")).isEqualTo(tableNames);

    com.fasterxml.jackson.databind.JsonNode s = list.get(0);
    assertThat(s.get("name").asText()).isEqualTo(listed(sealed));
    assertThat(s.get("location").asText()).isEqualTo(sealed);
    assertThat(s.get("has_metadata").asBoolean()).isTrue();
    assertThat(s.get("being_written").asBoolean()).isFalse();
    assertThat(s.get("folder").asBoolean()).isFalse();
    assertThat(s.get("database").asText()).isEqualTo(db);
    // the time the name ends in, as ISO-8601 in UTC to the second
    String started = s.get("started_at").asText();
    assertThat(started).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(listed(sealed)).contains(started.replace("-", "").replace(":", ""));
    assertThat(java.time.Instant.parse(s.get("completed_at").asText()))
        .isBetween(java.time.Instant.parse(started), before);
    assertThat(s.get("last_written_at").isNull()).isTrue();
    assertThat(s.get("features").toString()).isEqualTo("[\"tables\",\"data\"]");
    assertThat(s.get("rows").asLong()).isEqualTo(2);
    assertThat(s.get("size_bytes").asLong()).isEqualTo(Files.size(Path.of(sealed)));
    assertThat(s.get("dump_bytes").asLong()).isPositive();
    assertThat(s.get("file_count").asInt()).isEqualTo(1);
    assertThat(s.get("format").asText()).isEqualTo("zstd+aes:local+hmac");
    assertThat(s.get("layout").asText()).isEqualTo("backy");
    assertThat(s.get("compression").asText()).isEqualTo("zstd");
    assertThat(s.get("encryption_provider").asText()).isEqualTo("local");
    assertThat(s.get("encryption_key_id").asText()).isNotBlank();
    assertThat(s.get("integrity").asText()).isEqualTo("hmac");

    com.fasterxml.jackson.databind.JsonNode f = list.get(1);
    assertThat(f.get("name").asText()).isEqualTo(listed(folder) + "/");
    assertThat(f.get("folder").asBoolean()).isTrue();
    assertThat(f.get("format").asText()).isEqualTo("sql files");
    assertThat(f.get("layout").asText()).isEqualTo("sql-files");
    assertThat(f.get("compression").asText()).isEqualTo("none");
    assertThat(f.get("file_count").asInt()).isEqualTo(2);
    assertThat(f.get("encryption_provider").isNull()).isTrue();
    assertThat(f.get("integrity").isNull()).isTrue();

    com.fasterxml.jackson.databind.JsonNode p = list.get(2);
    assertThat(p.get("location").asText()).isEqualTo(plain);
    assertThat(p.get("format").asText()).isEqualTo("sql");
    assertThat(p.get("size_bytes").asLong())
        .isEqualTo(Files.size(Path.of(plain)))
        .isEqualTo(p.get("dump_bytes").asLong());

    // what has no sidecar says so, and when it was last written; nothing it cannot know
    com.fasterxml.jackson.databind.JsonNode i = list.get(3);
    assertThat(i.get("name").asText()).isEqualTo(stopped.getFileName() + "/");
    assertThat(i.get("location").asText()).isEqualTo(stopped.toString());
    assertThat(i.get("has_metadata").asBoolean()).isFalse();
    assertThat(i.get("being_written").asBoolean()).as("no backup runs").isFalse();
    assertThat(i.get("folder").asBoolean()).isTrue();
    assertThat(i.get("file_count").asInt()).isEqualTo(1);
    assertThat(java.time.Instant.parse(i.get("last_written_at").asText()))
        .isBeforeOrEqualTo(java.time.Instant.now());
    for (String unknown : List.of("database", "started_at", "format", "size_bytes")) {
      assertThat(i.get(unknown).isNull()).as(unknown).isTrue();
    }

    // errors stay one line on stderr with their exit code, and print no JSON
    env.put("LOCAL_PATH", dir.resolve("no-such-folder").toString());
    assertThat(run("list", "--config", backupConfig(db).toString(), "--json")).isEqualTo(2);
    assertThat(out).isEmpty();
    assertThat(err).startsWith("backy: error: environment variable LOCAL_PATH (").hasLineCount(1);

    assertThat(run("list", "--help")).isZero();
    assertThat(out).contains("--json");
  }

  /**
   * Backs up compressed with {@code codec}, encrypted with the local keystore and with an HMAC; the
   * keystore's and the HMAC's variables stay set for the rest of the test.
   */
  private String sealedBackup(String codec) throws Exception {
    env.put("LOCAL_KEY_STORE_PATH", dir.resolve("keys").toString());
    env.put("PRIVATE_KEY_PASSWORD", "key-password");
    env.put("INTEGRITY_PASSWORD", "integrity-password");
    return backupWith(
        "\nstorage:",
        "compression: {compression: true, compression_type: "
            + codec
            + "}\n"
            + "security: {encryption: true, type: keystore}\n"
            + "integrity: {integrity_check: true, integrity_type: hmac}\n");
  }

  /** Backs up with the backup config's "\nstorage:" replaced and {@code sections} added. */
  private String backupWith(String storageLine, String sections) throws Exception {
    Path f =
        dir.resolve("with-" + Integer.toHexString((storageLine + sections).hashCode()) + ".yaml");
    Files.writeString(
        f, Files.readString(backupConfig(db)).replace("\nstorage:", storageLine) + sections);
    assertThat(run("backup", "--config", f.toString())).as(err).isZero();
    return lastLine(out);
  }

  @Test
  void listTellsABackupConfigFromARestoreConfigByItsKeysNotItsText() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);

    // a backup config whose text mentions backup_path, in a value and in a comment
    Path f = dir.resolve("mentions.yaml");
    Files.writeString(
        f,
        "# not a restore config, though it says backup_path\n"
            + Files.readString(backupConfig(db))
            + "# backup_path: /elsewhere\n");
    assertThat(run("list", "--config", f.toString())).as(err).isZero();
    assertThat(out).contains(listed(location));
    Files.writeString(
        f,
        "database: {host: h, user: u, db_name: backup_path_test}\nstorage: {storage_type: local}\n");
    assertThat(run("list", "--config", f.toString())).as(err).isZero();
    assertThat(out).contains(listed(location));

    // a restore config is still read as one (its backup_path does not have to exist)
    assertThat(
            run("list", "--config", restoreConfig(backups.resolve("x.sql").toString()).toString()))
        .as(err)
        .isZero();
    assertThat(out).contains(listed(location));

    // and a broken config of either kind is reported in its own terms
    Files.writeString(f, "database: {host: h, user: u}\nstorage: {storage_type: local}\n");
    assertThat(run("list", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + f + ": missing required key 'database.db_name'\n");
    Files.writeString(
        f,
        "database: {host: h, user: u, db_name: d}\nbackup_path:\nstorage: {storage_type: local}\n");
    assertThat(run("list", "--config", f.toString())).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + f + ": backup_path must not be empty\n");
  }

  @Test
  void aLoggingPathThatCannotHoldTheLogIsExit2NamingItAndDoesNothing() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("not-a-folder"), "x");
    env.put("LOGGING_PATH", notAFolder.toString());
    assertThat(run("backup", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: environment variable LOGGING_PATH ("
                + notAFolder
                + ") cannot hold the log file backydb.log: "
                + notAFolder
                + " exists and is not a folder\n");
    assertThat(backups).doesNotExist();

    Path below = notAFolder.resolve("logs");
    env.put("LOGGING_PATH", below.toString());
    assertThat(run("list", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err)
        .startsWith(
            "backy: error: environment variable LOGGING_PATH ("
                + below
                + ") cannot hold the log file backydb.log: ")
        .doesNotContain("details in");
    assertThat(err.lines().count()).isEqualTo(1);
    assertThat(out).isEmpty();

    // help needs no log file
    assertThat(run("backup", "--help")).isZero();
    assertThat(out).contains("Usage: backy backup");

    // a folder that does not exist yet is created, as before
    env.put("LOGGING_PATH", dir.resolve("new/logs").toString());
    Files.createDirectories(backups);
    assertThat(run("list", "--config", backupConfig(db).toString())).as(err).isZero();
    Path newLog = dir.resolve("new/logs/backydb.log");
    assertThat(newLog).exists();
    // owner-only, as the backups: an error line can quote row values (a duplicate key)
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(newLog)))
        .isEqualTo("rw-------");
  }

  /**
   * A log file that cannot be written once the run has started (its disk full: here a link to
   * /dev/full, which the start-up check opens fine) lost the whole log without a sign: logback
   * notes the failure only in its own status list. The run says so once on stderr, and goes on: a
   * backup or restore matters more than its log. The next run with a writable log warns of nothing.
   */
  @Test
  void aLogFileThatCannotBeWrittenIsOneWarningAndTheRunGoesOn() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("full-disk"));
    Path log = Files.createSymbolicLink(logs.resolve("backydb.log"), Path.of("/dev/full"));
    env.put("LOGGING_PATH", logs.toString());
    String warning =
        "backy: warning: cannot write the log file "
            + log
            + " (No space left on device); the run goes on without its log\n";

    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);
    assertThat(Path.of(location)).exists();
    assertThat(err).isEqualTo(warning);

    // a restore logs several lines: still one warning
    assertThat(run("restore", "--config", restoreConfig(location).toString())).as(err).isZero();
    assertThat(err).isEqualTo(warning);
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));

    env.put("LOGGING_PATH", dir.toString());
    assertThat(run("verify", location)).as(err).isZero();
    assertThat(err).isEmpty();
  }

  @Test
  void historyRefusesALimitBelowOne() throws Exception {
    for (String n : List.of("0", "-1")) {
      assertThat(run("history", "--routes", dir.toString(), "--limit", n)).as(n).isEqualTo(2);
      assertThat(err)
          .isEqualTo(
              "backy: error: Invalid value for option '--limit': must be at least 1, got "
                  + n
                  + "; see 'backy history --help'\n");
      assertThat(out).isEmpty();
    }
    assertThat(run("history", "--routes", dir.toString(), "-n", "1")).as(err).isZero();
    assertThat(out).startsWith("No runs recorded in ");
  }

  @Test
  void unreachableServerIsExit1WithOneLine() throws Exception {
    Path f = dir.resolve("unreachable.yaml");
    Files.writeString(
        f,
        "database: {host: 127.0.0.1, port: 1, user: root, db_name: x}\nstorage: {storage_type: local}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(1);
    assertThat(err)
        .startsWith(
            "backy: error: cannot connect to root@127.0.0.1:1: nothing listens on port 1 of"
                + " 127.0.0.1, or a firewall refuses it (Communications link failure");
    assertThat(err.lines().count()).isEqualTo(1);

    // a name that does not resolve, said as such (the driver's words are the same as above)
    Files.writeString(
        f,
        "database: {host: no-such-host.invalid, port: 3306, user: root, db_name: x}\n"
            + "storage: {storage_type: local}\n");
    assertThat(run("backup", "--config", f.toString())).isEqualTo(1);
    assertThat(err)
        .startsWith(
            "backy: error: cannot connect to root@no-such-host.invalid:3306: host name"
                + " 'no-such-host.invalid' does not resolve");
    assertThat(err.lines().count()).isEqualTo(1);
    try (Stream<Path> files = Files.exists(backups) ? Files.list(backups) : Stream.empty()) {
      assertThat(files).isEmpty();
    }
  }

  /**
   * A LOCAL_PATH that cannot be written fails the backup before the database is touched: the
   * config's database is on a port nothing listens on, so an error about the folder (instead of the
   * refused connection) shows that no dump was started. It was found at the first write, once the
   * dump had started. Root ignores permissions, so the folders that fail are under a regular file
   * and, where a tmpfs can be mounted, on a read-only mount.
   */
  @Test
  void aLocalPathThatCannotBeWritten_failsTheBackupBeforeTheDatabaseIsTouched() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path f = dir.resolve("closed-port.yaml");
    Files.writeString(
        f,
        "database: {host: 127.0.0.1, port: "
            + closedPort
            + ", user: root, db_name: x}\nstorage: {storage_type: local}\n");

    Path underAFile = Files.writeString(dir.resolve("a-file"), "x").resolve("backups");
    env.put("LOCAL_PATH", underAFile.toString());
    assertThat(run("backup", "--config", f.toString())).as(err).isEqualTo(1);
    assertThat(err)
        .startsWith("backy: error: writing " + underAFile + " failed: ")
        .contains("Not a directory")
        .doesNotContain(":" + closedPort);
    assertThat(err.lines().count()).isEqualTo(1);
    assertThat(out).isEmpty();

    Path mount = Files.createDirectories(dir.resolve("read-only"));
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() == 0) {
      try {
        env.put("LOCAL_PATH", mount.toString());
        assertThat(run("backup", "--config", f.toString())).as(err).isEqualTo(1);
        assertThat(err)
            .startsWith("backy: error: writing " + mount + " failed: ")
            .contains("Read-only file system");
        assertThat(err.lines().count()).isEqualTo(1);
      } finally {
        new ProcessBuilder("umount", mount.toString()).start().waitFor();
      }
    }

    // the check lets a missing folder that can be created through, and creates nothing: the
    // database's refused connection is the error, and the folder (and its missing parent) is not
    // left behind, empty; it was
    Path fresh = dir.resolve("fresh/backups");
    env.put("LOCAL_PATH", fresh.toString());
    assertThat(run("backup", "--config", f.toString())).isEqualTo(1);
    assertThat(err).doesNotContain("writing ").contains(":" + closedPort);
    assertThat(fresh.getParent()).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).noneMatch(x -> x.getFileName().toString().startsWith(".backydb-check"));
    }
  }

  /**
   * A file where LOCAL_PATH or LOCAL_KEY_STORE_PATH names a folder is the variable's mistake, said
   * as list and keys list say it, exit 2: a backup said "writing F failed: F/.backydb-check-...:
   * Not a directory" (exit 1), and one with encryption "cannot create LOCAL_KEY_STORE_PATH F: F".
   */
  @Test
  void aFileWhereAFolderVariableGoes_isAConfigErrorNamingTheVariable() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    env.put("LOCAL_PATH", file.toString());
    for (String command : List.of("backup", "list")) {
      assertThat(run(command, "--config", backupConfig(db).toString())).as(err).isEqualTo(2);
      assertThat(err)
          .isEqualTo(
              "backy: error: environment variable LOCAL_PATH (" + file + ") is not a folder\n");
    }

    env.put("LOCAL_PATH", backups.toString());
    env.put("LOCAL_KEY_STORE_PATH", file.toString());
    env.put("PRIVATE_KEY_PASSWORD", "key-password");
    Path encrypted = dir.resolve("encrypted.yaml");
    Files.writeString(
        encrypted,
        Files.readString(backupConfig(db)) + "security: {encryption: true, type: keystore}\n");
    assertThat(run("backup", "--config", encrypted.toString())).as(err).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: environment variable LOCAL_KEY_STORE_PATH ("
                + file
                + ") is not a folder\n");
    assertThat(backups).doesNotExist();
  }

  /**
   * A backup refused by the database (a wrong password) creates no LOCAL_PATH; the first backup
   * that is written creates it, and its missing parents, owner-only.
   */
  @Test
  void aBackupThatCannotLogIn_leavesNoFolder_andOneThatIsWrittenCreatesItOwnerOnly()
      throws Exception {
    Path fresh = dir.resolve("new/backups");
    env.put("LOCAL_PATH", fresh.toString());
    env.put("DB_PASSWORD", "not-the-password");
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isEqualTo(1);
    assertThat(err).contains("Access denied");
    assertThat(fresh.getParent()).doesNotExist();

    env.put("DB_PASSWORD", "");
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    for (Path folder : List.of(fresh, fresh.getParent())) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
          .as(folder.toString())
          .isEqualTo("rwx------");
    }
    assertThat(Path.of(out.strip().lines().reduce((a, b) -> b).orElseThrow()))
        .as("the backup printed")
        .hasParent(fresh)
        .isRegularFile();
  }

  @Test
  void missingDatabaseIsExit1() throws Exception {
    assertThat(run("backup", "--config", backupConfig("no_such_db_x").toString())).isEqualTo(1);
    assertThat(err).contains("database 'no_such_db_x' does not exist");
    Files.createDirectories(backups);
    assertThat(run("list", "--config", backupConfig(db).toString())).isZero();
    assertThat(out).startsWith("No backups");
  }

  @Test
  void usageErrorsAreOneLineAndExit2AndEveryCommandHasHelp() {
    // a mistyped command was picocli's "Unmatched argument at index 0: 'bakup'"
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: Unknown command 'frobnicate'; see 'backy --help'\n");
    assertThat(run("bakup")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unknown command 'bakup' (did you mean backup?); see 'backy --help'\n");
    assertThat(run("keys", "rotat")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unknown command 'rotat' (did you mean rotate or generate?); see 'backy"
                + " keys --help'\n");
    // an argument too many for a command that takes none is still named as such
    assertThat(run("list", "--config", "backup.yaml", "extra")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unmatched argument at index 3: 'extra'; see 'backy list --help'\n");
    assertThat(run("backup")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Missing required option: '--config=FILE'; see 'backy backup --help'\n");
    assertThat(run("keys", "rotate", "--bogus")).isEqualTo(2);
    assertThat(err)
        .isEqualTo("backy: error: Unknown option: '--bogus'; see 'backy keys rotate --help'\n");
    assertThat(out).isEmpty();
    // a mistyped required option was reported as the required option missing
    assertThat(run("backup", "--confg", "backup.yaml")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unknown option: '--confg' (did you mean --config?); see 'backy backup"
                + " --help'\n");
    assertThat(run("keys", "retire", "--kee-id", "0123456789abcdef")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unknown option: '--kee-id' (did you mean --key-id?); see 'backy keys"
                + " retire --help'\n");
    // picocli's own full stop made it "'bogus'.; see"
    // help named an unknown command in other words than the command line itself, and suggested none
    assertThat(run("help", "bogus")).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: Unknown command 'bogus'; see 'backy --help'\n");
    assertThat(run("help", "bakup")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: Unknown command 'bakup' (did you mean backup?); see 'backy --help'\n");
    assertThat(out).isEmpty();
    for (String cmd : List.of("backup", "restore", "list", "verify", "run", "demo")) {
      assertThat(run(cmd, "--help")).as(cmd).isZero();
      assertThat(out).contains("Usage: backy " + cmd);
    }
  }

  /**
   * {@code backy help} took one word: {@code help keys rotate} showed the help of {@code keys}, and
   * {@code help keys bogus} did too, exit 0. It now shows the help of the command the words name,
   * and refuses a word no command has, as the command line itself does.
   */
  @Test
  void helpShowsTheHelpOfASubcommandAndRefusesAWordNoCommandHas() {
    assertThat(run("keys", "rotate", "--help")).isZero();
    String rotateHelp = out;
    assertThat(rotateHelp).startsWith("Usage: backy keys rotate ");
    assertThat(run("help", "keys", "rotate")).as(err).isZero();
    assertThat(out).isEqualTo(rotateHelp);
    assertThat(err).isEmpty();

    assertThat(run("keys", "--help")).isZero();
    String keysHelp = out;
    assertThat(keysHelp).startsWith("Usage: backy keys ");
    assertThat(run("help", "keys")).as(err).isZero();
    assertThat(out).isEqualTo(keysHelp);
    assertThat(run("--help")).isZero();
    String backyHelp = out;
    assertThat(backyHelp).startsWith("Usage: backy ").contains("help ");
    assertThat(run("help")).as(err).isZero();
    assertThat(out).isEqualTo(backyHelp);
    assertThat(run("help", "--help")).isZero();
    assertThat(out).startsWith("Usage: backy help ");

    // the same words as "backy keys bogus" gets
    String bogus = "Unknown command 'bogus'; see 'backy keys --help'";
    assertUsageError(bogus, "keys", "bogus");
    assertUsageError(bogus, "help", "keys", "bogus");
    assertUsageError(
        "Unknown command 'rotat' (did you mean rotate or generate?); see 'backy keys --help'",
        "help",
        "keys",
        "rotat");
    assertUsageError(
        "Unknown command 'extra'; see 'backy keys rotate --help'",
        "help",
        "keys",
        "rotate",
        "extra");
    assertUsageError("Unknown option: '--bogus'; see 'backy help --help'", "help", "--bogus");
  }

  /** The command line is refused with exit 2, the one line {@code problem} and no output. */
  private void assertUsageError(String problem, String... args) {
    assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
    assertThat(err).isEqualTo("backy: error: " + problem + "\n");
    assertThat(out).isEmpty();
  }

  /**
   * --version, and the tool version in every backup's sidecar, said "dev" whatever the build: the
   * jar's manifest carries no version. They are the project's version.
   */
  @Test
  void versionIsTheBuildsAndTheSidecarRecordsIt() throws Exception {
    assertThat(run("--version")).isZero();
    assertThat(out).matches("BackyDB \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
    String version = out.strip().substring("BackyDB ".length());
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);
    Path sidecar = Path.of(location.replaceFirst("\\.sql$", ".metadata.json"));
    com.fasterxml.jackson.databind.JsonNode metadata =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(sidecar.toFile());
    assertThat(metadata.path("tool").path("version").asText()).isEqualTo(version);
  }

  @Test
  void restoreCanBeLimitedToTables() throws Exception {
    server.execute(db, "CREATE TABLE u (id INT PRIMARY KEY)", "INSERT INTO u VALUES (7)");
    run("backup", "--config", backupConfig(db).toString());
    String location = lastLine(out);
    assertThat(run("restore", "--config", restoreConfig(location).toString(), "--tables", "u"))
        .as(err)
        .isZero();
    assertThat(server.checksums(copy)).containsOnlyKeys("u");
  }

  @Test
  void aTableNamedTwiceIsAConfigErrorNotARestoreOfItTwice() throws Exception {
    server.execute(db, "CREATE TABLE u (id INT PRIMARY KEY)", "INSERT INTO u VALUES (7)");
    run("backup", "--config", backupConfig(db).toString());
    String location = lastLine(out);
    assertThat(run("restore", "--config", restoreConfig(location).toString(), "--tables", "u,u"))
        .isEqualTo(2);
    assertThat(err.strip())
        .doesNotContain("\n")
        .contains("--tables: database.tables names table 'u' twice");
    assertThat(server.databaseExists(copy)).isFalse();
  }

  @Test
  void anEmptyFeatureListIsAConfigErrorNotARestoreOfNothing() throws Exception {
    server.execute(db, "CREATE TABLE u (id INT PRIMARY KEY)", "INSERT INTO u VALUES (7)");
    run("backup", "--config", backupConfig(db).toString());
    String location = lastLine(out);
    assertThat(run("restore", "--config", restoreConfig(location).toString(), "--features", " "))
        .isEqualTo(2);
    assertThat(err.strip()).doesNotContain("\n").contains("--features: names no feature");
    assertThat(server.databaseExists(copy)).isFalse();
  }

  @Test
  void aFeatureMapThatSelectsNothingIsExit2AndBacksNothingUp() throws Exception {
    Path f = dir.resolve("nothing.yaml");
    Files.writeString(
        f, Files.readString(backupConfig(db)).replace("\nstorage:", "\n  features: {}\nstorage:"));
    assertThat(run("backup", "--config", f.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: "
                + f
                + ": database.features selects nothing: switch on at least one of tables, data,"
                + " views, functions, procedures, triggers, events\n");
    assertThat(backups).doesNotExist();
  }

  @Test
  void aMissingBackupPathOrANonBackupFileIsACleanError() throws Exception {
    assertThat(
            run(
                "restore",
                "--config",
                restoreConfig(backups.resolve("nope.sql").toString()).toString()))
        .isEqualTo(2);
    assertThat(err).contains("does not exist");
    assertThat(run("verify", dir.resolve("nope.backy").toString())).isEqualTo(2);
    assertThat(err).contains("does not exist");

    java.nio.file.Files.createDirectories(backups);
    Path notABackup = backups.resolve("notes.backy");
    java.nio.file.Files.writeString(notABackup, "just some text, not a backup\n");
    assertThat(run("verify", notABackup.toString())).isEqualTo(1);
    assertThat(run("restore", "--config", restoreConfig(notABackup.toString()).toString()))
        .isEqualTo(1);
    assertThat(server.databaseExists(copy)).isFalse();
  }

  /**
   * What is there but is no backup was said not to exist ("... does not exist (no .sql, .backy or
   * backup folder there)"): it says what it is instead, and for a sidecar which backup to give.
   */
  @Test
  void aFileThatIsNoBackupOrASidecarIsNamedForWhatItIs() throws Exception {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "root:x:0:0\n");
    assertThat(run("verify", notes.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: backup "
                + notes
                + " is not a backup: expected a .sql or .backy file or a backup folder\n");
    assertThat(out).isEmpty();

    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);
    Path sidecar = Path.of(location.replaceAll("\\.sql$", ".metadata.json"));
    assertThat(run("verify", sidecar.toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: backup "
                + sidecar
                + " is the metadata sidecar of a backup, not the backup: give "
                + location
                + "\n");
    assertThat(run("restore", "--config", restoreConfig(sidecar.toString()).toString()))
        .isEqualTo(2);
    assertThat(err)
        .contains("is the metadata sidecar of a backup, not the backup: give " + location);
    assertThat(server.databaseExists(copy)).isFalse();
  }

  /** An s3:// backup_path with local storage was looked for under LOCAL_PATH: "does not exist". */
  @Test
  void anS3BackupPathWithLocalStorageSaysItNeedsS3Storage() throws Exception {
    // a LOCAL_PATH that is missing, like one not set, is named first
    Files.createDirectories(backups);
    assertThat(
            run(
                "restore",
                "--config",
                restoreConfig("s3://backups/prod/shop_20261126T101500Z.backy").toString()))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: backup_path s3://backups/prod/shop_20261126T101500Z.backy is in S3, but"
                + " the storage is local: an s3:// path needs storage_type: s3 (or aws) and the"
                + " AWS_S3_* variables\n");
  }

  /**
   * list of a LOCAL_PATH that is missing or a file said "No backups in ...", exit 0, hiding a typo:
   * it is a configuration error; an existing empty folder still has no backups.
   */
  @Test
  void listOfALocalPathThatIsNoFolderIsAConfigError() throws Exception {
    Path missing = dir.resolve("no-such-folder");
    env.put("LOCAL_PATH", missing.toString());
    assertThat(run("list", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: environment variable LOCAL_PATH ("
                + missing
                + ") names a folder that does not exist\n");
    assertThat(out).isEmpty();
    assertThat(missing).doesNotExist();

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    env.put("LOCAL_PATH", file.toString());
    assertThat(run("list", "--config", backupConfig(db).toString())).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "backy: error: environment variable LOCAL_PATH (" + file + ") is not a folder\n");

    Path empty = Files.createDirectory(dir.resolve("empty"));
    env.put("LOCAL_PATH", empty.toString());
    assertThat(run("list", "--config", backupConfig(db).toString())).as(err).isZero();
    assertThat(out).isEqualTo("No backups in " + empty + "\n");
  }

  /**
   * prune of a LOCAL_PATH that is missing said "Deleted 0 backup(s)", exit 0, and a restore of a
   * backup under it that its backup_path did not exist: the commands that read the backups already
   * there refuse it as list does, with the one line naming LOCAL_PATH (exit 2), and create nothing.
   */
  @Test
  void pruneAndRestoreOfALocalPathThatIsNoFolderAreConfigErrorsAsList() throws Exception {
    Path config = dir.resolve("prune.yaml");
    Files.writeString(
        config, Files.readString(backupConfig(db)) + "  retention:\n    keep_last: 1\n");
    Path missing = dir.resolve("no-such-folder");
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Map<Path, String> problem =
        Map.of(missing, "names a folder that does not exist", file, "is not a folder");
    for (Map.Entry<Path, String> p : problem.entrySet()) {
      env.put("LOCAL_PATH", p.getKey().toString());
      String expected =
          "backy: error: environment variable LOCAL_PATH ("
              + p.getKey()
              + ") "
              + p.getValue()
              + "\n";
      for (String[] args :
          List.of(
              new String[] {"prune", "--config", config.toString()},
              new String[] {"prune", "--config", config.toString(), "--dry-run"},
              new String[] {
                "restore",
                "--config",
                restoreConfig(p.getKey().resolve("shop_20261126T101500Z.sql").toString()).toString()
              })) {
        assertThat(run(args)).as(String.join(" ", args) + ": " + err).isEqualTo(2);
        assertThat(err).as(String.join(" ", args)).isEqualTo(expected);
        assertThat(out).as(String.join(" ", args)).isEmpty();
      }
    }
    assertThat(missing).doesNotExist();
    assertThat(server.databaseExists(copy)).isFalse();
  }

  /**
   * A sidecar that is valid JSON but lacks started_at made list and prune exit 1 with a Java
   * message; it is a warning naming it, and the backups are still listed and pruned.
   */
  @Test
  void aSidecarWithoutAStartTimeIsAWarningOfListAndPrune() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    String location = lastLine(out);
    Path junk =
        Files.writeString(backups.resolve("junk.metadata.json"), "{\"metadata_version\": 1}");

    assertThat(run("list", "--config", backupConfig(db).toString())).as(err).isZero();
    assertThat(out).contains(listed(location));
    assertThat(err).contains("junk.metadata.json").contains("started_at");

    Path keep1 = dir.resolve("keep1.yaml");
    Files.writeString(
        keep1, Files.readString(backupConfig(db)) + "  retention:\n    keep_last: 1\n");
    assertThat(run("prune", "--config", keep1.toString(), "--dry-run")).as(err).isZero();
    assertThat(out).contains("keep ").contains("Dry run: would delete 0 backup(s)");
    // the start time as list prints it (UTC, to the second), not Instant's nanoseconds
    assertThat(out).containsPattern("keep +\\S+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  \\(");
    assertThat(err).contains("junk.metadata.json").contains("started_at");
    assertThat(junk).exists();
  }

  /**
   * A plain .sql backup moved or copied into a sub-folder of LOCAL_PATH, with its sidecar or
   * without, is restored like one at the top ("does not exist" said restore, while verify of the
   * same file said intact).
   */
  @Test
  void aPlainSqlBackupInASubFolderIsRestored() throws Exception {
    assertThat(run("backup", "--config", backupConfig(db).toString())).as(err).isZero();
    Path location = Path.of(lastLine(out));
    assertThat(location.toString()).endsWith(".sql");
    String name = location.getFileName().toString().replaceAll("\\.sql$", "");
    Path archive = Files.createDirectories(backups.resolve("archive"));
    Files.copy(location, archive.resolve(name + ".sql"));
    Files.copy(backups.resolve(name + ".metadata.json"), archive.resolve(name + ".metadata.json"));
    Path loose = Files.createDirectories(backups.resolve("loose")).resolve(name + ".sql");
    Files.copy(location, loose);

    String archived = archive.resolve(name + ".sql").toString();
    assertThat(run("verify", archived)).as(err).isZero();
    assertThat(run("restore", "--config", restoreConfig(archived).toString())).as(err).isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));

    server.dropDatabase(copy);
    assertThat(run("restore", "--config", restoreConfig(loose.toString()).toString()))
        .as(err)
        .isZero();
    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
  }

  /**
   * One file of a folder backup (multiple_files) is not a backup by itself: restoring it alone is
   * refused, saying why and what to give instead, not that it does not exist; verify refuses it the
   * same way (it said the file alone was intact: the folder's sidecar, beside the folder, was
   * outside what it looked at).
   */
  @Test
  void oneFileOfAFolderBackupIsRefusedSayingWhy() throws Exception {
    Path config = backupConfig(db);
    Files.writeString(
        config,
        Files.readString(config).replace("\nstorage:", "\n  multiple_files: true\nstorage:"));
    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    Path folder = Path.of(lastLine(out));
    assertThat(folder).isDirectory();
    Path data = folder.resolve("data.sql");
    assertThat(data).exists();

    assertThat(run("restore", "--config", restoreConfig(data.toString()).toString())).isEqualTo(2);
    assertThat(err.strip())
        .doesNotContain("\n")
        .doesNotContain("does not exist")
        .contains("one file of the folder backup")
        .contains(folder.toString());
    assertThat(server.databaseExists(copy)).isFalse();
    String refusal = err.strip().replaceFirst("^backy: error: backup_path ", "");

    assertThat(run("verify", data.toString())).isEqualTo(2);
    assertThat(out).doesNotContain("OK");
    assertThat(err.strip()).isEqualTo("backy: error: backup " + refusal);
    // the folder itself is the backup, and is intact
    assertThat(run("verify", folder.toString())).as(out + err).isZero();
  }

  /**
   * A multiple_files backup killed after it committed some files leaves its folder without a
   * sidecar. Nothing ever removed it: list now shows it as incomplete, and once nobody has written
   * to it for a day prune (and the retention step after a backup) deletes it.
   */
  @Test
  void aFolderBackupStoppedHalfWayIsListedAsIncompleteAndPrunedOnceADayOld() throws Exception {
    Path config = backupConfig(db);
    Files.writeString(
        config,
        Files.readString(config).replace("\nstorage:", "\n  multiple_files: true\nstorage:")
            + "  retention:\n    keep_last: 1\n");
    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    Path folder = Path.of(lastLine(out));
    String name = folder.getFileName().toString();
    // killed before the sidecar was written; a second one killed likewise, under another name
    Files.delete(backups.resolve(name + ".metadata.json"));
    Path second = backups.resolve(name + "-1");
    Files.createDirectories(second);
    Files.copy(folder.resolve("tables.sql"), second.resolve("tables.sql"));

    assertThat(run("list", "--config", config.toString())).as(err).isZero();
    assertThat(out)
        .contains(name + "/ ")
        .contains("incomplete (no metadata), 2 files, last written less than a minute ago")
        .contains("incomplete (no metadata), 1 file, last written less than a minute ago");
    assertThat(run("prune", "--config", config.toString())).as(err).isZero();
    assertThat(out).doesNotContain("incomplete");
    assertThat(folder.resolve("data.sql")).as("it may still be being written").exists();

    java.nio.file.attribute.FileTime dayAndAHourAgo =
        java.nio.file.attribute.FileTime.from(
            java.time.Instant.now().minus(java.time.Duration.ofHours(25)));
    for (Path f : List.of(folder.resolve("tables.sql"), folder.resolve("data.sql"))) {
      Files.setLastModifiedTime(f, dayAndAHourAgo);
    }
    assertThat(run("list", "--config", config.toString())).as(err).isZero();
    assertThat(out).contains("incomplete (no metadata), 2 files, last written 25 h ago");

    assertThat(run("prune", "--config", config.toString(), "--dry-run")).as(err).isZero();
    assertThat(out)
        .contains("would delete " + name + " ")
        .contains(folder.toString())
        .contains("1 incomplete backup(s) (no metadata)");
    assertThat(folder.resolve("data.sql")).exists();

    assertThat(run("prune", "--config", config.toString())).as(err).isZero();
    assertThat(out)
        .contains("deleted " + name + " ")
        .contains("1 incomplete backup(s) (no metadata)");
    assertThat(folder).doesNotExist();
    assertThat(second.resolve("tables.sql")).as("not a day old").exists();

    // the retention step after a backup removes the other one once it is a day old
    Files.setLastModifiedTime(second.resolve("tables.sql"), dayAndAHourAgo);
    assertThat(run("backup", "--config", config.toString())).as(err).isZero();
    assertThat(second).doesNotExist();
    assertThat(Files.readString(dir.resolve("backydb.log")))
        .contains("removed incomplete backup folder " + second);
    assertThat(run("list", "--config", config.toString())).as(err).isZero();
    assertThat(out).doesNotContain("incomplete");
  }

  /**
   * A LOCAL_PATH where no folder can be made (under /proc) fails the backup with one line that says
   * why, not just the path ("writing /proc/x/... failed: /proc/x").
   */
  @Test
  void aStorageFolderThatCannotBeMadeIsOneLineWithTheReason() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")));
    env.put("LOCAL_PATH", "/proc/backy-" + db + "/backups");

    assertThat(run("backup", "--config", backupConfig(db).toString())).isEqualTo(1);

    assertThat(err.strip())
        .doesNotContain("\n")
        .contains("/proc/backy-" + db)
        .containsIgnoringCase("no such file or directory");
  }

  /** A backup as {@code backy list} names it: relative to LOCAL_PATH (here, its top level). */
  static String listed(String location) {
    return Path.of(location).getFileName().toString();
  }
}
