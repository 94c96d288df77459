package io.backydb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An archive entry that tries to leave its folder marks the backup as forged. */
class EntryNameTest {

  static final byte[] SQL = "SELECT 1;\n-- backy:complete\n".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @ValueSource(strings = {"../../evil.sql", "/etc/cron.d/evil", "a/../../b.sql", "..\\evil.sql"})
  void zipEntryWithAPathIsRefused(String name) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      zip.putArchiveEntry(new ZipArchiveEntry(name));
      zip.write(SQL);
      zip.closeArchiveEntry();
    }
    var files = new ZipCodec().decode(new ByteArrayInputStream(bytes.toByteArray()));
    assertThatThrownBy(files::next)
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("not a plain file name")
        .satisfies(
            e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../evil.sql", "/etc/cron.d/evil"})
  void tarEntryWithAPathIsRefused(String name) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      TarArchiveEntry entry = new TarArchiveEntry(name, true);
      entry.setSize(SQL.length);
      tar.putArchiveEntry(entry);
      tar.write(SQL);
      tar.closeArchiveEntry();
    }
    var files = new TarGzCodec().decode(new ByteArrayInputStream(bytes.toByteArray()));
    assertThatThrownBy(files::next)
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("not a plain file name");
  }
}
