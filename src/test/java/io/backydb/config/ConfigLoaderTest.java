package io.backydb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"backup-minimal.json", "backup-minimal.yaml"})
  void seedMinimumExampleLoads(String file) {
    BackupConfig c = ConfigLoader.backupFromFile(Path.of("examples", file));
    assertThat(c.database().host()).isEqualTo("localhost");
    assertThat(c.database().port()).isEqualTo(3306);
    assertThat(c.database().user()).isEqualTo("root");
    assertThat(c.database().dbName()).isEqualTo("backy_db");
    assertThat(c.database().multipleFiles()).isFalse();
    assertThat(c.database().backupFeatures()).isEqualTo(Features.DEFAULT);
    assertThat(c.storage().type()).isEqualTo(StorageType.LOCAL);
    assertThat(c.isRawSql()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"backup-full.json", "backup-full.yaml"})
  void seedFullExampleLoads(String file) {
    BackupConfig c = ConfigLoader.backupFromFile(Path.of("examples", file));
    assertThat(c.database().multipleFiles()).isTrue();
    assertThat(c.database().backupFeatures())
        .isEqualTo(new Features(true, true, true, true, false, false, true));
    assertThat(c.compression().compression()).isTrue();
    assertThat(c.compression().type()).isEqualTo(CompressionType.TAR);
    assertThat(c.security().encryption()).isTrue();
    assertThat(c.security().type()).isEqualTo("keystore");
    assertThat(c.security().provider()).isEqualTo("local");
    assertThat(c.security().keySize()).isEqualTo(4096);
    assertThat(c.integrity().integrityCheck()).isTrue();
    assertThat(c.integrity().type()).isEqualTo("hmac");
    assertThat(c.isRawSql()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"restore.json", "restore.yaml"})
  void seedRestoreExampleLoads(String file) {
    RestoreConfig c = ConfigLoader.restoreFromFile(Path.of("examples", file));
    assertThat(c.database().port()).isEqualTo(3307);
    assertThat(c.backupPath()).isEqualTo("/path/to/backup/file.backy");
    assertThat(c.replaceExisting()).isFalse();
    assertThat(c.database().features()).as("no features named: restore everything").isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level key | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\"},\"storage\":{\"storage_type\":\"local\"},\"extra\":1} | unknown key 'extra'",
        "unknown nested key | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\",\"pasword\":\"x\"},\"storage\":{\"storage_type\":\"local\"}} | unknown key 'database.pasword'",
        "port as string | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\",\"port\":\"3306\"},\"storage\":{\"storage_type\":\"local\"}} | 'database.port'",
        "missing db_name | {\"database\":{\"host\":\"h\",\"user\":\"u\"},\"storage\":{\"storage_type\":\"local\"}} | missing required key 'database.db_name'",
        "missing storage | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\"}} | missing required key 'storage'",
        "bad storage type | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\"},\"storage\":{\"storage_type\":\"ftp\"}} | 'storage.storage_type' has unsupported value 'ftp'",
        "feature not boolean | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\",\"features\":{\"views\":\"yes\"}},\"storage\":{\"storage_type\":\"local\"}} | 'database.features.views'",
        "unknown feature | {\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\",\"features\":{\"indexes\":true}},\"storage\":{\"storage_type\":\"local\"}} | unknown key 'database.features.indexes'",
        "malformed json | {\"database\": | malformed JSON",
      })
  void badConfigIsOneLineNamingTheKey(String caseName, String json, String expected)
      throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(f, json);
    assertOneLineConfigError(() -> ConfigLoader.backupFromFile(f), expected, json);
  }

  /** The call fails with a one-line CONFIG error containing {@code expected}. */
  private static void assertOneLineConfigError(
      ThrowingCallable call, String expected, String description) {
    assertThatThrownBy(call)
        .as(description)
        .isInstanceOf(BackyException.class)
        .hasMessageContaining(expected)
        .satisfies(
            e -> {
              assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG);
              assertThat(e.getMessage()).doesNotContain("\n");
            });
  }

  static final String DB = "database: {host: h, user: u, db_name: d}\n";
  static final String LOCAL = "storage: {storage_type: local}\n";

  static Stream<Arguments> emptyOrOutOfRange() {
    return Stream.of(
        Arguments.of(
            "database:\n  host:\n  user: u\n  db_name: d\n" + LOCAL,
            "database.host must not be empty"),
        Arguments.of(
            "database: {host: '', user: u, db_name: d}\n" + LOCAL,
            "database.host must not be empty"),
        Arguments.of(
            "database: {host: ' ', user: u, db_name: d}\n" + LOCAL,
            "database.host must not be empty"),
        Arguments.of(
            "database: {host: h, user: null, db_name: d}\n" + LOCAL,
            "database.user must not be empty"
                + " (the unquoted null is read as no value: write it in quotes, \"null\", if it is text)"),
        Arguments.of(
            "database: {host: h, user: u, db_name: \"\"}\n" + LOCAL,
            "database.db_name must not be empty"),
        Arguments.of("database: null\n" + LOCAL, "database must not be empty"),
        Arguments.of("database:\n" + LOCAL, "database must not be empty"),
        Arguments.of(DB + "storage: null\n", "storage must not be empty"),
        Arguments.of(
            "database: {host: h, port: 0, user: u, db_name: d}\n" + LOCAL,
            "database.port must be between 1 and 65535 (got 0)"),
        Arguments.of(
            "database: {host: h, port: -1, user: u, db_name: d}\n" + LOCAL,
            "database.port must be between 1 and 65535 (got -1)"),
        Arguments.of(
            "database: {host: h, port: 70000, user: u, db_name: d}\n" + LOCAL,
            "database.port must be between 1 and 65535 (got 70000)"),
        Arguments.of(
            "database: {host: h, port: 99999999999, user: u, db_name: d}\n" + LOCAL,
            "database.port must be between 1 and 65535 (got 99999999999)"),
        Arguments.of(
            "database: {host: h, port: 3306.5, user: u, db_name: d}\n" + LOCAL,
            "'database.port' has a value of the wrong type: expected an integer, got '3306.5'"),
        Arguments.of(
            "database: {host: h, user: u, db_name: d, threads: 99999999999}\n" + LOCAL,
            "'database.threads' has a value out of range: 99999999999"),
        Arguments.of(
            DB + "storage: {storage_type: local, retention: {keep_last: 99999999999}}\n",
            "'storage.retention.keep_last' has a value out of range: 99999999999"),
        // a table named twice was dumped twice: twice the rows reported, a restore that failed
        // on the second copy (or doubled a table without a unique key)
        Arguments.of(
            "database: {host: h, user: u, db_name: d, tables: [t, u, t]}\n" + LOCAL,
            "database.tables names table 't' twice"),
        Arguments.of(
            "database: {host: h, user: u, db_name: d, tables: [null]}\n" + LOCAL,
            "database.tables[0] must not be empty"
                + " (the unquoted null is read as no value: write it in quotes, \"null\", if it is text)"),
        Arguments.of(
            "database: {host: h, user: u, db_name: d, tables: [t, ' ']}\n" + LOCAL,
            "database.tables[1] must not be empty"));
  }

  @ParameterizedTest
  @MethodSource("emptyOrOutOfRange")
  void emptyRequiredKeyOrNumberOutOfRangeIsOneLineNamingTheKey(String yaml, String expected)
      throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, yaml);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessage(f + ": " + expected)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
  }

  /**
   * A misspelt key is reported as unknown, also when the section it leaves incomplete fails on its
   * own ("set at least one of keep_last, ..." named no key; "missing required key" hid the typo).
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "storage: {storage_type: local, retention: {keep_lst: 3}}"
            + "|unknown key 'storage.retention.keep_lst'",
        "storage: {storage_type: local, retention: {keep_last: 2, keep_lst: 3}}"
            + "|unknown key 'storage.retention.keep_lst'",
        "storage: {storage_type: local, retention: {keep_last: 0, keep_dayly: 3}}"
            + "|unknown key 'storage.retention.keep_dayly'",
        "storage: {storage_typ: local}|unknown key 'storage.storage_typ'"
      })
  void anUnknownKeyIsReportedBeforeWhatItsAbsenceBreaks(String storage, String expected)
      throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, DB + storage + "\n");
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessage(f + ": " + expected);
  }

  @Test
  void anUnknownKeyBesideAMissingOrEmptyRequiredOneIsReportedAsUnknown() throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, "database: {hots: h, user: u, db_name: d}\n" + LOCAL);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .hasMessage(f + ": unknown key 'database.hots'");
    Files.writeString(f, "database: {host: h, user: u, db_nam: d}\n" + LOCAL);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .hasMessage(f + ": unknown key 'database.db_nam'");
  }

  static Stream<Arguments> restoreWithAnEmptyKey() {
    String db = "{\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\"}";
    String local = "{\"storage_type\": \"local\"}";
    return Stream.of(
        Arguments.of(DB + "backup_path:\n" + LOCAL, "backup_path must not be empty"),
        Arguments.of(
            "{\"database\": " + db + ", \"backup_path\": \"\", \"storage\": " + local + "}",
            "backup_path must not be empty"),
        Arguments.of(
            "{\"database\": null, \"backup_path\": \"x\", \"storage\": " + local + "}",
            "database must not be empty"),
        Arguments.of(
            "{\"database\": {\"host\": \"\", \"user\": \"u\", \"db_name\": \"d\"},"
                + " \"backup_path\": \"x\", \"storage\": "
                + local
                + "}",
            "database.host must not be empty"),
        Arguments.of(
            "{\"database\": " + db + ", \"backup_path\": \"x\", \"storage\": null}",
            "storage must not be empty"));
  }

  @ParameterizedTest
  @MethodSource("restoreWithAnEmptyKey")
  void restoreConfigWithAnEmptyRequiredKeyIsOneLineNamingTheKey(String text, String expected) {
    assertThatThrownBy(() -> ConfigLoader.restoreFromText(text))
        .isInstanceOf(BackyException.class)
        .hasMessage("config: " + expected)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
  }

  static Stream<Arguments> duplicateKeys() {
    return Stream.of(
        Arguments.of(
            "c.yaml",
            DB + "storage: {storage_type: local}\nstorage: {storage_type: aws}\n",
            "duplicate key 'storage' at line 3"),
        Arguments.of(
            "c.yaml",
            "database:\n  host: h\n  user: u\n  db_name: d\n  host: other\n" + LOCAL,
            "duplicate key 'database.host' at line 5"),
        Arguments.of(
            "c.yaml",
            DB + "storage:\n  storage_type: local\n  retention: {keep_last: 1, keep_last: 2}\n",
            "duplicate key 'storage.retention.keep_last' at line 4"),
        Arguments.of(
            "c.json",
            "{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\","
                + " \"db_name\": \"e\"},\n \"storage\": {\"storage_type\": \"local\"}}",
            "duplicate key 'database.db_name' at line 1"),
        Arguments.of(
            "c.json",
            "{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\"},\n"
                + " \"storage\": {\"storage_type\": \"local\"},\n"
                + " \"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\"}}",
            "duplicate key 'database' at line 3"),
        Arguments.of(
            "c.json",
            "{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\","
                + " \"tables\": [{\"a\": 1, \"a\": 2}]}, \"storage\": {\"storage_type\": \"local\"}}",
            "duplicate key 'database.tables[0].a' at line 1"));
  }

  @ParameterizedTest
  @MethodSource("duplicateKeys")
  void aKeyGivenTwiceIsOneLineNamingTheKey(String name, String text, String expected)
      throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessage(f + ": " + expected)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
    // the same text given directly (the Java API, queue messages)
    assertThatThrownBy(() -> ConfigLoader.backupFromText(text)).hasMessage("config: " + expected);
  }

  @ParameterizedTest(name = "threads: {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0 | database.threads must be between 1 and 64 (got 0)",
        "-1 | database.threads must be between 1 and 64 (got -1)",
        "65 | database.threads must be between 1 and 64 (got 65)",
        "\"x\" | 'database.threads' has a value of the wrong type: expected an integer",
        "2.5 | 'database.threads' has a value of the wrong type: expected an integer",
      })
  void threadsOutOfRangeOrNotANumberIsOneLineNamingTheKey(String value, String expected) {
    for (String text :
        java.util.List.of(
            "database: {host: h, user: u, db_name: d, threads: "
                + value
                + "}\nstorage: {storage_type: local}\n",
            "{\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":\"d\",\"threads\":"
                + value
                + "},\"storage\":{\"storage_type\":\"local\"}}")) {
      assertOneLineConfigError(() -> ConfigLoader.backupFromText(text), expected, text);
    }
  }

  @Test
  void threadsDefaultToTheCoresUpToFourAndKeepAGivenNumber() {
    String base = "database: {host: h, user: u, db_name: d%s}\nstorage: {storage_type: local}\n";
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(ConfigLoader.backupFromText(String.format(base, "")).database().threads())
        .isEqualTo(Math.min(cores, 4))
        .isEqualTo(DatabaseConfig.defaultThreads());
    assertThat(
            ConfigLoader.backupFromText(String.format(base, ", threads: 3")).database().threads())
        .isEqualTo(3);
    assertThat(
            ConfigLoader.backupFromText(String.format(base, ", threads: 1")).database().threads())
        .isEqualTo(1);
    assertThat(
            ConfigLoader.backupFromText(String.format(base, ", threads: 64")).database().threads())
        .isEqualTo(64);
    assertThat(
            ConfigLoader.restoreFromText(
                    "database: {host: h, user: u, db_name: d, threads: 3}\nbackup_path: /x.backy\n"
                        + "storage: {storage_type: local}\n")
                .database()
                .threads())
        .isEqualTo(3);
  }

  @Test
  void malformedYamlNamesTheLine() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f, "database:\n  host: h\n  user: [unclosed\nstorage: {storage_type: local}\n");
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("malformed YAML at line")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  /**
   * The message was the parser's first line: "while scanning for the next token" for a tab,
   * Jackson's "Trailing token (of type START_OBJECT) found after value (bound as ...)" for a second
   * document. It now says what is wrong, and where.
   */
  static Stream<Arguments> malformedYaml() {
    return Stream.of(
        Arguments.of(
            "database:\n\thost: h\n",
            "malformed YAML at line 2, column 1: found character '\\t(TAB)' that cannot start any"
                + " token. (Do not use \\t(TAB) for indentation)"),
        Arguments.of(
            DB + LOCAL + "---\nx: 1\n",
            "malformed YAML at line 4, column 1: a second YAML document (after '---') follows the"
                + " first: a config is one"),
        Arguments.of(
            "database: [h\n",
            "malformed YAML at line 2, column 1: expected ',' or ']', but got <stream end>"));
  }

  @ParameterizedTest
  @MethodSource("malformedYaml")
  void malformedYamlSaysWhatIsWrong(String yaml, String expected) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    assertOneLineConfigError(() -> ConfigLoader.backupFromFile(f), f + ": " + expected, yaml);
  }

  @Test
  void aJsonFileWithAByteOrderMarkLoads_andTextAfterTheObjectIsNamed() throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(
        f,
        "\uFEFF{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\"},"
            + " \"storage\": {\"storage_type\": \"local\"}}\n");
    assertThat(ConfigLoader.backupFromFile(f).database().host()).isEqualTo("h");
    Files.writeString(f, "{\"database\": null} {}\n");
    assertOneLineConfigError(
        () -> ConfigLoader.backupFromFile(f),
        f + ": malformed JSON at line 1, column 20: more text follows the end of the JSON object",
        "two objects");
  }

  @Test
  void missingFileAndWrongExtensionAreConfigErrors() {
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(dir.resolve("nope.json")))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(dir.resolve("c.txt")))
        .hasMessageContaining("must end in .json, .yaml or .yml");
  }

  @Test
  void compressionWithoutTypeDefaultsToZstd() {
    BackupConfig c =
        ConfigLoader.backupFromText(
            "database: {host: h, user: u, db_name: d}\ncompression: {compression: true}\nstorage: {storage_type: local}\n");
    assertThat(c.compression().type()).isEqualTo(CompressionType.ZSTD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "NONE"})
  void compressionTypeNoneIsRejectedWithTheValidTypes(String none) throws Exception {
    Path f = dir.resolve("c.yaml");
    for (String on : java.util.List.of("true", "false")) {
      Files.writeString(
          f,
          DB + "compression: {compression: " + on + ", compression_type: " + none + "}\n" + LOCAL);
      assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
          .isInstanceOf(BackyException.class)
          .hasMessage(
              f
                  + ": 'compression.compression_type' has unsupported value 'none' (expected one"
                  + " of: zip, tar, zstd; for no compression set compression: false)")
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
    }
    Files.writeString(f, DB + "compression: {compression: true, compression_type: lz4}\n" + LOCAL);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .hasMessage(
            f
                + ": 'compression.compression_type' has unsupported value 'lz4' (expected one of:"
                + " zip, tar, zstd)");
  }

  static Stream<Arguments> badValueInASectionSwitchedOnOrOff() {
    return Stream.of(
        Arguments.of(
            "compression: {compression: %s, compression_type: zip, compression_level: 99}",
            "compression.compression_level 99 is out of range for zip (0 to 9)"),
        Arguments.of(
            "compression: {compression: %s, compression_type: tar, compression_level: 0}",
            "compression.compression_level 0 is out of range for tar.gz (1 to 9)"),
        Arguments.of(
            "compression: {compression: %s, compression_level: 0}",
            "compression.compression_level 0 is out of range for zstd (1 to 22)"),
        Arguments.of(
            "compression: {compression: %s, compression_type: zstd, compression_level: 23}",
            "compression.compression_level 23 is out of range for zstd (1 to 22)"),
        Arguments.of(
            "compression: {compression: %s, compression_type: lz4}",
            "'compression.compression_type' has unsupported value 'lz4' (expected one of: zip,"
                + " tar, zstd)"),
        Arguments.of(
            "integrity: {integrity_check: %s, integrity_type: foo}",
            "integrity.integrity_type 'foo' is not supported; use hmac or checksum"),
        Arguments.of(
            "security: {encryption: %s, type: bogus}",
            "security.type 'bogus' is unknown: keystore or kms"),
        Arguments.of(
            "security: {encryption: %s, type: keystore, provider: aws}",
            "security.provider 'aws' does not go with security.type keystore: keystore takes"
                + " local or gcp, kms takes aws"),
        Arguments.of(
            "security: {encryption: %s, type: kms, provider: azure, key_id: k}",
            "security.provider 'azure' does not go with security.type kms: keystore takes"
                + " local or gcp, kms takes aws"),
        Arguments.of(
            "security: {encryption: %s, provider: azure}",
            "security.provider 'azure' is unknown: local or gcp (keystore), aws (kms)"),
        Arguments.of(
            "security: {encryption: %s, type: keystore, provider: local, key_size: 1024}",
            "security.key_size 1024 is too small: use at least 2048 (default 4096)"),
        Arguments.of(
            "security: {encryption: %s, key_size: 0}",
            "security.key_size 0 is too small: use at least 2048 (default 4096)"),
        // larger than the JDK generates: it failed at the first key pair with "Invalid key sizes"
        Arguments.of(
            "security: {encryption: %s, type: keystore, key_size: 16385}",
            "security.key_size 16385 is too large: use at most 16384 (default 4096)"));
  }

  /**
   * A section that is switched off is checked all the same: its values would be used as soon as
   * someone switches it on, and "every key is checked" must hold for it too.
   */
  @ParameterizedTest
  @MethodSource("badValueInASectionSwitchedOnOrOff")
  void aBadValueIsRefusedWhetherItsSectionIsOnOrOff(String section, String expected)
      throws Exception {
    Path f = dir.resolve("c.yaml");
    for (String on : java.util.List.of("false", "true")) {
      Files.writeString(f, DB + String.format(section, on) + "\n" + LOCAL);
      assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
          .as("%s with %s", section, on)
          .isInstanceOf(BackyException.class)
          .hasMessage(f + ": " + expected)
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "compression: {compression: false, compression_type: zip, compression_level: 0}",
        "compression: {compression: false, compression_type: zstd, compression_level: 22}",
        "compression: {compression: false, compression_level: 1}",
        "compression: {compression: true, compression_type: tar, compression_level: 9}",
        "integrity: {integrity_check: false, integrity_type: ' HMAC '}",
        "integrity: {integrity_check: false, integrity_type: checksum}",
        "integrity: {integrity_check: false}",
        "security: {encryption: false, type: KMS, provider: aws}",
        "security: {encryption: false, type: keystore, provider: gcp}",
        "security: {encryption: false, provider: local}",
        "security: {encryption: false, type: keystore, key_size: 2048}",
        "security: {encryption: false}"
      })
  void aGoodValueInASectionSwitchedOffLoads(String section) {
    BackupConfig c = ConfigLoader.backupFromText(DB + section + "\n" + LOCAL);
    assertThat(c.database().dbName()).isEqualTo("d");
  }

  /**
   * A section that sets its keys but not its switch used to be off: {@code security: {type:
   * keystore}} made plaintext backups and {@code integrity: {integrity_type: hmac}} backups without
   * an HMAC, both reporting success. It is refused, naming the switch.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "security: {type: keystore, provider: local}"
            + "|security.encryption is not set, so the backup would not be encrypted: set"
            + " encryption: true (or false to keep the section's other keys unused)",
        "security: {type: kms, key_id: alias/backydb}|security.encryption is not set",
        "security: {key_size: 4096}|security.encryption is not set",
        "integrity: {integrity_type: hmac}"
            + "|integrity.integrity_check is not set, so the backup would carry no integrity"
            + " check: set integrity_check: true (or false to keep the section's other keys"
            + " unused)",
        "compression: {compression_type: zstd}"
            + "|compression.compression is not set, so the backup would not be compressed: set"
            + " compression: true (or false to keep the section's other keys unused)",
        "compression: {compression_level: 3}|compression.compression is not set"
      })
  void aSectionWithKeysButNoSwitchIsOneLineNamingTheSwitch(String section, String expected)
      throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, DB + section + "\n" + LOCAL);
    assertOneLineConfigError(() -> ConfigLoader.backupFromFile(f), f + ": " + expected, section);
    Path json = dir.resolve("config.json");
    Files.writeString(
        json,
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(
                new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                    .readValue(DB + section + "\n" + LOCAL, java.util.Map.class)));
    assertOneLineConfigError(
        () -> ConfigLoader.backupFromFile(json), json + ": " + expected, section + " as JSON");
  }

  /**
   * Encryption that names no key location is refused as the config loads, naming the file: it used
   * to pass the loader and fail only when a backup started, so a schedule with it loaded and failed
   * at every tick. Switched off, the section's keys stay unused and it loads.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "security: {encryption: true}|security.type is required with encryption: keystore or kms",
        "security: {encryption: true, provider: local, key_size: 2048}"
            + "|security.type is required with encryption: keystore or kms",
        "security: {encryption: true, type: ' '}"
            + "|security.type is required with encryption: keystore or kms",
        "security: {encryption: true, type: kms}"
            + "|security.key_id is required with security.type kms: the KMS key id, ARN or alias",
        "security: {encryption: true, type: KMS, provider: aws, key_id: ''}"
            + "|security.key_id is required with security.type kms"
      })
  void encryptionWithoutTypeOrKmsKeyId_isRefusedWhenTheConfigLoads(String section, String expected)
      throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, DB + section + "\n" + LOCAL);
    assertOneLineConfigError(() -> ConfigLoader.backupFromFile(f), f + ": " + expected, section);
    Files.writeString(
        f, DB + section.replace("encryption: true", "encryption: false") + "\n" + LOCAL);
    assertThat(ConfigLoader.backupFromFile(f).security().encryption()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"security: {}", "integrity: {}", "compression: {}"})
  void anEmptySectionStaysOff(String section) {
    BackupConfig c = ConfigLoader.backupFromText(DB + section + "\n" + LOCAL);
    assertThat(c.isRawSql()).isTrue();
    assertThat(c.integrity().integrityCheck()).isFalse();
  }

  /**
   * A backup config's multiple_files and retention mean nothing to a restore: they were accepted
   * and ignored (a restore deletes no backup, and reads a folder backup as the folder it is). Like
   * the backup's own sections, they are refused as unknown keys, saying why, whatever their value.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "database: {host: h, user: u, db_name: d, multiple_files: true}~backup_path: x~"
            + "storage: {storage_type: local}"
            + "|unknown key 'database.multiple_files' (a restore takes the backup as backup_path"
            + " names it: a file, or a multiple-files folder)",
        "database: {host: h, user: u, db_name: d, multiple_files: false}~backup_path: x~"
            + "storage: {storage_type: local}"
            + "|unknown key 'database.multiple_files'",
        "database: {host: h, user: u, db_name: d}~backup_path: x~"
            + "storage: {storage_type: local, retention: {keep_last: 3}}"
            + "|unknown key 'storage.retention' (a restore deletes no backup: retention applies"
            + " after a backup and to backy prune)"
      })
  void aRestoreConfigWithMultipleFilesOrRetention_isRefusedNamingTheKey(
      String lines, String expected) throws Exception {
    String text = lines.replace('~', '\n');
    Path f = dir.resolve("restore.yaml");
    Files.writeString(f, text);
    assertOneLineConfigError(() -> ConfigLoader.restoreFromFile(f), f + ": " + expected, text);
    java.util.Map<String, Object> map =
        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
            .readValue(
                text,
                new com.fasterxml.jackson.core.type.TypeReference<
                    java.util.Map<String, Object>>() {});
    assertOneLineConfigError(
        () -> ConfigLoader.restoreFromMap(map), "config: " + expected, text + " as a map");
    // a backup config takes them
    ConfigLoader.backupFromText(text.replace("backup_path: x\n", ""));
  }

  /** A backup config with backup_path added only said "unknown key 'compression'". */
  @ParameterizedTest
  @ValueSource(strings = {"compression", "security", "integrity"})
  void aRestoreConfigWithABackupSectionSaysWhereTheRestoreLearnsIt(String section) {
    assertOneLineConfigError(
        () -> ConfigLoader.restoreFromText(DB + "backup_path: x\n" + LOCAL + section + ": {}\n"),
        "config: unknown key '"
            + section
            + "' (a restore config has no compression, security or integrity section: the backup"
            + " says how it was made)",
        section);
  }

  /** database.definer without definers: rewrite was ignored: the original DEFINERs came back. */
  @Test
  void aDefinerWithoutDefinersIsOneLineNamingBoth() {
    assertOneLineConfigError(
        () ->
            ConfigLoader.restoreFromText(
                "database: {host: h, user: u, db_name: d, definer: app@'%'}\nbackup_path: x\n"
                    + LOCAL),
        "config: database.definer is set but database.definers is not: set definers: rewrite to"
            + " give the objects that definer (or keep or drop to leave database.definer unused)",
        "definer alone");
    assertThat(
            ConfigLoader.restoreFromText(
                    "database: {host: h, user: u, db_name: d, definers: drop, definer: a@b}\n"
                        + "backup_path: x\n"
                        + LOCAL)
                .database()
                .definers())
        .isEqualTo("drop");
  }

  /**
   * database.tls takes its four modes in any case, in backup and restore configs, as text or as a
   * map; tls_ca goes with the verifying ones. Left out, TLS is preferred, as before the setting.
   */
  @Test
  void tlsModesAndTheCaFileLoad() {
    assertThat(ConfigLoader.backupFromText(DB + LOCAL).database().tls())
        .isEqualTo(TlsMode.PREFERRED);
    assertThat(ConfigLoader.backupFromText(DB + LOCAL).database().tlsCa()).isNull();
    for (TlsMode mode : TlsMode.values()) {
      assertThat(
              ConfigLoader.backupFromText(
                      "database: {host: h, user: u, db_name: d, tls: " + mode.key() + "}\n" + LOCAL)
                  .database()
                  .tls())
          .isEqualTo(mode);
    }
    DatabaseConfig restore =
        ConfigLoader.restoreFromText(
                "{\"database\": {\"host\": \"h\", \"user\": \"u\", \"db_name\": \"d\","
                    + " \"tls\": \"VERIFY_IDENTITY\", \"tls_ca\": \"/etc/backydb/ca.pem\"},"
                    + " \"backup_path\": \"x\", \"storage\": {\"storage_type\": \"local\"}}")
            .database();
    assertThat(restore.tls()).isEqualTo(TlsMode.VERIFY_IDENTITY);
    assertThat(restore.tlsCa()).isEqualTo("/etc/backydb/ca.pem");
    DatabaseConfig fromMap =
        ConfigLoader.backupFromMap(
                java.util.Map.of(
                    "database",
                    java.util.Map.of(
                        "host",
                        "h",
                        "user",
                        "u",
                        "db_name",
                        "d",
                        "tls",
                        "verify_ca",
                        "tls_ca",
                        "ca.pem"),
                    "storage",
                    java.util.Map.of("storage_type", "local")))
            .database();
    assertThat(fromMap.tls()).isEqualTo(TlsMode.VERIFY_CA);
    assertThat(fromMap.tlsCa()).isEqualTo("ca.pem");
    assertThat(fromMap.withThreads(2).withDbName("e").tlsCa()).isEqualTo("ca.pem");
  }

  /**
   * A mode that is not one, an empty one (which would quietly be the weakest), and a CA file that
   * nothing would check the server against are refused, naming the key.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "tls: verify | database.tls must be one of preferred, required, verify_ca, verify_identity"
            + " (got 'verify')",
        "tls: verify-ca | database.tls must be one of preferred, required, verify_ca,"
            + " verify_identity (got 'verify-ca')",
        "tls: | database.tls must not be empty",
        "tls: '' | database.tls must not be empty",
        "tls: ~ | database.tls must not be empty (the unquoted ~ is read as no value",
        "tls: true | 'database.tls' must be one of preferred, required, verify_ca, verify_identity,"
            + " but the unquoted true is read as a boolean",
        "tls: on | 'database.tls' must be one of preferred, required, verify_ca, verify_identity,"
            + " but the unquoted on is read as the boolean true",
        "tls: verify_ca, tls_ca: | database.tls_ca must not be empty",
        "tls: verify_ca, tls_ca: ' ' | database.tls_ca must not be empty",
        "tls: verify_ca, tls_ca: 1 | 'database.tls_ca' must be text, but the unquoted 1 is read as"
            + " a number",
        "tls_ca: ca.pem | database.tls_ca is set but database.tls is not: set tls: verify_ca or"
            + " verify_identity to verify the server's certificate against it",
        "tls: preferred, tls_ca: ca.pem | database.tls_ca is set but database.tls is preferred,"
            + " which checks no certificate: set tls: verify_ca or verify_identity",
        "tls: required, tls_ca: ca.pem | database.tls_ca is set but database.tls is required,"
            + " which checks no certificate",
        "tsl: required | unknown key 'database.tsl'",
        "tls_cafile: ca.pem | unknown key 'database.tls_cafile'"
      })
  void aBadTlsSettingIsOneLineNamingTheKey(String settings, String expected) {
    String database = "database: {host: h, user: u, db_name: d, " + settings + "}\n";
    assertOneLineConfigError(
        () -> ConfigLoader.backupFromText(database + LOCAL), "config: " + expected, settings);
    assertOneLineConfigError(
        () -> ConfigLoader.restoreFromText(database + "backup_path: x\n" + LOCAL),
        "config: " + expected,
        settings);
  }

  @Test
  void featuresParseFromCommandLineList() {
    assertThat(Features.parse("tables, data")).isEqualTo(Features.DEFAULT);
    assertThatThrownBy(() -> Features.parse("tables,indexes"))
        .hasMessageContaining("unknown feature 'indexes'");
  }

  static final String SELECTS_NOTHING =
      "database.features selects nothing: switch on at least one of tables, data, views,"
          + " functions, procedures, triggers, events";

  /**
   * A feature map that selects nothing would back up nothing and call it a backup (listed, kept by
   * retention), or restore nothing and call it a restore: refused, in backup and restore configs
   * alike. Leaving the map out still selects the default.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "features: {}",
        "features: {tables: false}",
        "features: {tables: false, data: false, views: false, functions: false, procedures: false,"
            + " triggers: false, events: false}"
      })
  void aFeatureMapThatSelectsNothingIsOneLineNamingTheKey(String features) throws Exception {
    String database = "database: {host: h, user: u, db_name: d, " + features + "}\n";
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, database + LOCAL);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessage(f + ": " + SELECTS_NOTHING)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
    assertThatThrownBy(() -> ConfigLoader.restoreFromText(database + "backup_path: x\n" + LOCAL))
        .isInstanceOf(BackyException.class)
        .hasMessage("config: " + SELECTS_NOTHING);
    assertThatThrownBy(
            () ->
                ConfigLoader.backupFromMap(
                    java.util.Map.of(
                        "database",
                        java.util.Map.of(
                            "host",
                            "h",
                            "user",
                            "u",
                            "db_name",
                            "d",
                            "features",
                            java.util.Map.of()),
                        "storage",
                        java.util.Map.of("storage_type", "local"))))
        .isInstanceOf(BackyException.class)
        .hasMessage("config: " + SELECTS_NOTHING);
    assertThat(ConfigLoader.backupFromText(DB + LOCAL).database().backupFeatures())
        .as("no features key: the default")
        .isEqualTo(Features.DEFAULT);
  }

  /**
   * YAML 1.1 reads an unquoted no, on, 0123 or 1e3 as a boolean or a number: a database, user or
   * table of that name was refused saying "got 'false'" or "got '83'", not what the user wrote nor
   * how to give it. The message names the key, the text as written and the quotes to put round it.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "user | no | 'database.user' must be text, but the unquoted no is read as the boolean false: write it in quotes (\"no\")",
        "user | on | 'database.user' must be text, but the unquoted on is read as the boolean true",
        "db_name | yes | 'database.db_name' must be text, but the unquoted yes is read as the boolean true",
        "db_name | off | 'database.db_name' must be text, but the unquoted off is read as the boolean false",
        "db_name | true | 'database.db_name' must be text, but the unquoted true is read as a boolean",
        "db_name | 0123 | 'database.db_name' must be text, but the unquoted 0123 is read as the number 83: write it in quotes (\"0123\")",
        "db_name | 1e3 | 'database.db_name' must be text, but the unquoted 1e3 is read as the number 1000.0",
        "db_name | 1_000 | 'database.db_name' must be text, but the unquoted 1_000 is read as the number 1000",
        "db_name | 1.10 | 'database.db_name' must be text, but the unquoted 1.10 is read as the number 1.1",
        "db_name | 123 | 'database.db_name' must be text, but the unquoted 123 is read as a number",
        "tables | [t, no] | 'database.tables[1]' must be text, but the unquoted no is read as the boolean false",
        "user | null | database.user must not be empty (the unquoted null is read as no value: write it in quotes, \"null\", if it is text)",
        "db_name | ~ | database.db_name must not be empty (the unquoted ~ is read as no value",
        "tables | [NULL] | database.tables[0] must not be empty (the unquoted NULL is read as no value",
      })
  void aYamlWordOrNumberWhereTextIsExpected_isRefusedSayingToQuoteIt(
      String key, String value, String expected) throws Exception {
    // the key replaces its own default: a key given twice is refused
    String database =
        ("database: {host: h, "
                + (key.equals("user") ? "" : "user: u, ")
                + (key.equals("db_name") ? "" : "db_name: d, ")
                + key
                + ": %s}\n")
            + LOCAL;
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, database.formatted(value));
    assertOneLineConfigError(
        () -> ConfigLoader.backupFromFile(f), expected, database.formatted(value));
    String quoted =
        value.startsWith("[") ? value.replaceAll("([^\\[\\], ]+)", "'$1'") : "'" + value + "'";
    Files.writeString(f, database.formatted(quoted));
    BackupConfig loaded = ConfigLoader.backupFromFile(f);
    String text =
        switch (key) {
          case "user" -> loaded.database().user();
          case "db_name" -> loaded.database().dbName();
          default -> String.valueOf(loaded.database().tables());
        };
    assertThat(text).as("quoted, the text as written").isEqualTo(value);
  }

  /**
   * A key whose text is one of a few words: YAML reads an unquoted {@code tls: on} as a boolean,
   * and the quotes the message used to ask for gave the next error ("must be one of ... (got
   * 'on')"). The message lists the words instead.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "tls | on | 'database.tls' must be one of preferred, required, verify_ca, verify_identity, but the unquoted on is read as the boolean true",
        "tls | yes | 'database.tls' must be one of preferred, required, verify_ca, verify_identity, but the unquoted yes is read as the boolean true",
        "tls | 1 | 'database.tls' must be one of preferred, required, verify_ca, verify_identity, but the unquoted 1 is read as a number",
        "definers | off | 'database.definers' must be one of keep, drop, rewrite, but the unquoted off is read as the boolean false",
      })
  void aYamlWordWhereOneOfSomeWordsIsExpected_isRefusedListingThem(
      String key, String value, String expected) throws Exception {
    String database =
        "database: {host: h, user: u, db_name: d, " + key + ": " + value + "}\n" + LOCAL;
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, database);
    assertOneLineConfigError(() -> ConfigLoader.backupFromFile(f), expected, database);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f)).hasMessageNotContaining("in quotes");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "false | 'database.db_name' must be text, but the unquoted false is read as a boolean: write it in quotes (\"false\")",
        "123 | 'database.db_name' must be text, but the unquoted 123 is read as a number: write it in quotes (\"123\")",
        "1e3 | 'database.db_name' must be text, but the unquoted 1e3 is read as the number 1000.0",
        "null | database.db_name must not be empty",
      })
  void aJsonNumberOrBooleanWhereTextIsExpected_isRefusedSayingToQuoteIt(
      String value, String expected) throws Exception {
    String json =
        "{\"database\":{\"host\":\"h\",\"user\":\"u\",\"db_name\":"
            + value
            + "},\"storage\":{\"storage_type\":\"local\"}}";
    Path f = dir.resolve("c.json");
    Files.writeString(f, json);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessageStartingWith(f + ": " + expected);
  }

  /**
   * YAML 1.1 reads an integer with a leading 0 as octal, and 0x.., 0b.. and 1_000 as numbers too:
   * {@code port: 03306} connected to port 1734 and {@code keep_last: 010} kept 8 backups.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "database: {host: h, port: 03306, user: u, db_name: d} | 'database.port' is 03306, which YAML reads as the octal number 1734: write it in plain decimal",
        "database: {host: h, port: 0xCEA, user: u, db_name: d} | 'database.port' is 0xCEA, which YAML reads as the hexadecimal number 3306",
        "database: {host: h, user: u, db_name: d, threads: 0b10} | 'database.threads' is 0b10, which YAML reads as the binary number 2",
        "database: {host: h, user: u, db_name: d, threads: 0_2} | 'database.threads' is 0_2, which YAML reads as the octal number 2",
      })
  void anIntegerYamlReadsOtherwiseThanItLooks_isRefused(String database, String expected)
      throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, database + "\n" + LOCAL);
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .isInstanceOf(BackyException.class)
        .hasMessageStartingWith(f + ": " + expected);
    Files.writeString(
        f,
        "database: {host: h, user: u, db_name: d}\n"
            + "storage: {storage_type: local, retention: {keep_last: 010}}\n");
    assertThatThrownBy(() -> ConfigLoader.backupFromFile(f))
        .hasMessage(
            f
                + ": 'storage.retention.keep_last' is 010, which YAML reads as the octal number 8:"
                + " write it in plain decimal");
    Files.writeString(f, "database: {host: h, port: +3306, user: u, db_name: d}\n" + LOCAL);
    assertThat(ConfigLoader.backupFromFile(f).database().port()).isEqualTo(3306);
  }

  @Test
  void environmentVariablesAreRequiredByName() {
    Environment env = Environment.of(java.util.Map.of("LOCAL_PATH", ""));
    assertThatThrownBy(() -> env.require("DB_PASSWORD", "always"))
        .hasMessage("environment variable DB_PASSWORD is not set (required always)");
    assertThatThrownBy(() -> env.requireNonEmpty("LOCAL_PATH", "for local storage"))
        .hasMessage("environment variable LOCAL_PATH is empty (required for local storage)");
    assertThat(Environment.of(java.util.Map.of("DB_PASSWORD", "")).require("DB_PASSWORD", "x"))
        .isEmpty();
  }
}
