package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyFormat;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every mode backs up, verifies and restores to an identical database. */
class ContainerRoundTripTest {

  @TempDir Path dir;
  ContainerFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new ContainerFixture(dir);
    f.createSource();
  }

  @AfterEach
  void tearDown() throws Exception {
    f.dropAll();
  }

  static Stream<Arguments> modes() {
    return Stream.of(
        // compression, multiple files, integrity
        Arguments.of(null, false, null),
        Arguments.of(null, true, null),
        Arguments.of(null, false, "hmac"),
        Arguments.of(null, true, "checksum"),
        Arguments.of("zip", false, null),
        Arguments.of("zip", true, "hmac"),
        Arguments.of("tar", false, "checksum"),
        Arguments.of("tar", true, null),
        Arguments.of("zstd", false, "hmac"),
        Arguments.of("zstd", true, null),
        Arguments.of("zstd", false, "checksum"),
        Arguments.of("zip", false, "checksum"),
        Arguments.of("tar", true, "hmac"));
  }

  @ParameterizedTest(name = "compression={0}")
  @ValueSource(strings = {"zstd", "none"})
  void aRestoreStoppedWhileVerifyingLeavesTheDatabaseUntouched(String compression)
      throws Exception {
    BackupResult b = f.backup(compression.equals("none") ? null : compression, false, "hmac");
    // a stop request (SIGTERM) interrupts the restoring thread while it reads the backup
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> f.restore(b.location(), ContainerFixture.PASSWORD))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("stopped while verifying the backup, before anything was applied");
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    }
    assertThat(ContainerFixture.server.databaseExists(f.target)).isFalse();
  }

  @ParameterizedTest(name = "compression={0} multiple_files={1} integrity={2}")
  @MethodSource("modes")
  void everyModeRoundTrips(String compression, boolean multiple, String integrity)
      throws Exception {
    BackupResult b = f.backup(compression, multiple, integrity);
    BackupMetadata m = b.metadata();
    Path stored = Path.of(b.location());
    if (compression == null) {
      assertThat(m.layout())
          .isEqualTo(multiple ? BackupMetadata.LAYOUT_SQL_FILES : BackupMetadata.LAYOUT_SQL);
      assertThat(m.formatVersion()).isNull();
      if (integrity != null) {
        assertThat(m.files()).allSatisfy(file -> assertThat(file.integrity()).hasSize(64));
      }
      // plain SQL is stored as dumped: the SQL's size is what was stored
      assertThat(m.sizes().dumpBytes()).isEqualTo(m.sizes().storedBytes());
    } else {
      assertThat(b.location()).endsWith(".backy");
      assertThat(m.layout()).isEqualTo(BackupMetadata.LAYOUT_BACKY);
      assertThat(m.formatVersion()).isEqualTo(BackyFormat.VERSION);
      assertThat(m.compression().type()).isEqualTo(compression);
      assertThat(m.compression().level()).isNotNull();
      try (InputStream in = Files.newInputStream(stored)) {
        assertThat(BackyFormat.hasMagic(in.readNBytes(8))).isTrue();
      }
      // compressed: the payload is smaller than the dump
      assertThat(m.sizes().storedBytes()).isLessThan(m.sizes().dumpBytes());
      if (integrity != null) {
        assertThat(m.integrity().value()).hasSize(64);
      }
    }
    if (integrity == null) {
      assertThat(m.integrity()).isNull();
    } else {
      assertThat(m.integrity().type()).isEqualTo(integrity);
      assertThat(Files.readString(stored.resolveSibling(m.name() + ".metadata.json")))
          .doesNotContain(ContainerFixture.PASSWORD);
    }

    // a backup without an HMAC is checked without INTEGRITY_PASSWORD: with it set, one is required
    String password = "hmac".equals(integrity) ? ContainerFixture.PASSWORD : null;
    if (password == null) {
      StringWriter refused = new StringWriter();
      assertThat(
              BackyCli.execute(
                  f.environment(ContainerFixture.PASSWORD),
                  new PrintWriter(refused, true),
                  new PrintWriter(new StringWriter(), true),
                  "verify",
                  b.location()))
          .as(refused.toString())
          .isEqualTo(1);
      assertThat(refused.toString()).contains("carries no HMAC");
    }
    StringWriter out = new StringWriter();
    int exit =
        BackyCli.execute(
            f.environment(password),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "verify",
            b.location());
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).startsWith("OK ");

    f.restore(b.location(), password);
    assertThat(ContainerFixture.server.checksums(f.target))
        .isEqualTo(ContainerFixture.server.checksums(f.source))
        .containsKeys("customers", "orders");
  }

  /** Without compression or encryption nothing is a .backy file: the seed's plain SQL. */
  static boolean isBacky(Path p) throws Exception {
    try (InputStream in = Files.newInputStream(p)) {
      return BackyFormat.hasMagic(in.readNBytes(8));
    }
  }
}
