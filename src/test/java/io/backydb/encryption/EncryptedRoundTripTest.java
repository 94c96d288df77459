package io.backydb.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import io.backydb.codec.PayloadEncryption;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encrypted backups through BackyDB with every key provider, encrypted-only and
 * zstd+encrypted+hmac: the stored file reveals nothing of the source, and it verifies and restores
 * to an identical database with nothing but the file and the environment.
 */
class EncryptedRoundTripTest {

  @TempDir Path dir;

  static Stream<Arguments> modes() {
    return Stream.of(EncryptionFixture.Provider.values())
        .flatMap(p -> Stream.of(Arguments.of(p, null, null), Arguments.of(p, "zstd", "hmac")));
  }

  @ParameterizedTest(name = "{0} compression={1} integrity={2}")
  @MethodSource("modes")
  void encryptedBackup_restoresIdentically_andRevealsNothing(
      EncryptionFixture.Provider provider, String compression, String integrity) throws Exception {
    try (EncryptionFixture f = new EncryptionFixture(dir, provider)) {
      f.createSource();
      BackupResult b = f.backup(compression, integrity);
      BackupMetadata m = b.metadata();
      Path stored = Path.of(b.location());
      assertThat(b.location()).endsWith(".backy");
      assertThat(m.layout()).isEqualTo(BackupMetadata.LAYOUT_BACKY);
      assertThat(m.encryption().suite()).isEqualTo(PayloadEncryption.SUITE);
      assertThat(m.encryption().provider())
          .isEqualTo(provider.name().toLowerCase(java.util.Locale.ROOT));
      assertThat(m.encryption().keyId()).isNotBlank();
      if (provider == EncryptionFixture.Provider.AWS) {
        assertThat(m.encryption().keyId()).isEqualTo(f.kmsKeyArn);
      }
      assertThat(m.compression().type()).isEqualTo(compression == null ? "none" : compression);

      BackyHeader header;
      try (InputStream in = Files.newInputStream(stored)) {
        header = BackyFormat.readHeader(in, stored.toString());
      }
      assertThat(header.encryption().path("suite").asText()).isEqualTo(PayloadEncryption.SUITE);
      assertThat(header.encryption().path(BackyHeader.WRAPPED_KEYS).get(0).path("key_id").asText())
          .isEqualTo(m.encryption().keyId());

      // nothing of the dump is visible in the file
      String raw = new String(Files.readAllBytes(stored), StandardCharsets.ISO_8859_1);
      assertThat(raw)
          .doesNotContain(EncryptionFixture.SECRET_ROW)
          .doesNotContain(EncryptionFixture.SECRET_TABLE)
          .doesNotContain("INSERT INTO")
          .doesNotContain("CREATE TABLE");
      String sidecar = Files.readString(stored.resolveSibling(m.name() + ".metadata.json"));
      assertThat(sidecar)
          .doesNotContain(EncryptionFixture.KEY_PASSWORD)
          .doesNotContain(EncryptionFixture.INTEGRITY_PASSWORD)
          .doesNotContain("wrapped");

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          BackyCli.execute(
              f.env(),
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              "verify",
              integrity == null ? "--no-require-hmac" : "--require-hmac",
              b.location());
      assertThat(exit).as(out + " " + err).isZero();
      assertThat(out.toString()).startsWith("OK ");

      String target = f.newTarget();
      try {
        f.restore(b.location(), target, f.env());
        assertThat(EncryptionFixture.server.checksums(target))
            .isEqualTo(EncryptionFixture.server.checksums(f.source))
            .containsKeys("customers", EncryptionFixture.SECRET_TABLE);
      } finally {
        EncryptionFixture.server.dropDatabase(target);
      }
    }
  }
}
