package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged backup, a swapped sidecar or a wrong password is refused with a clear one-line error
 * before a single statement runs: the target database is never created. {@code bin/backy verify}
 * says the same with exit status 1.
 */
class TamperedBackupTest {

  @TempDir static Path dir;
  static ContainerFixture f;
  static BackupResult zstdHmac;
  static BackupResult zstdHmacOther;
  static BackupResult zipPlain;
  static BackupResult sqlHmac;
  static BackupResult tarChecksum;
  static BackupResult tarPlain;
  static int copies;

  @BeforeAll
  static void backups() throws Exception {
    f = new ContainerFixture(dir);
    f.createSource();
    zstdHmac = f.backup("zstd", false, "hmac");
    zstdHmacOther = f.backup("zstd", false, "hmac");
    zipPlain = f.backup("zip", true, null);
    sqlHmac = f.backup(null, false, "hmac");
    tarChecksum = f.backup("tar", false, "checksum");
    tarPlain = f.backup("tar", true, null);
  }

  @AfterAll
  static void drop() throws Exception {
    f.dropAll();
  }

  /** Copies a single-file backup and its sidecar under a new name; returns the copy's path. */
  static Path copy(BackupResult b) throws Exception {
    Path file = Path.of(b.location());
    String name = b.metadata().name();
    String ext = file.getFileName().toString().substring(name.length());
    copies++;
    String copyName = name + "_copy" + copies;
    Path copy = file.resolveSibling(copyName + ext);
    Files.copy(file, copy);
    Files.copy(
        file.resolveSibling(name + ".metadata.json"),
        file.resolveSibling(copyName + ".metadata.json"));
    return copy;
  }

  static void flipByte(Path file, long at) throws Exception {
    byte[] all = Files.readAllBytes(file);
    all[(int) at] ^= 0x01;
    Files.write(file, all);
  }

  /**
   * Replaces the payload of a {@code .backy} file without integrity, keeping its header and setting
   * the trailer's payload length: what anyone who can write to the storage can do.
   */
  static void rewritePayload(Path file, UnaryOperator<byte[]> change) throws Exception {
    byte[] all = Files.readAllBytes(file);
    int start = 14 + ByteBuffer.wrap(all).getInt(10);
    int end = all.length - 48;
    byte[] payload = change.apply(Arrays.copyOfRange(all, start, end));
    Files.write(
        file,
        ByteBuffer.allocate(start + payload.length + 48)
            .put(all, 0, start)
            .put(payload)
            .put(all, end, 8)
            .putLong(payload.length)
            .put(all, end + 16, 32)
            .array());
  }

  /** Flips a bit of the payload byte {@code at} picks, keeping header and trailer. */
  static void flipPayloadByte(Path file, java.util.function.ToIntFunction<byte[]> at)
      throws Exception {
    rewritePayload(
        file,
        p -> {
          p[at.applyAsInt(p)] ^= 0x01;
          return p;
        });
  }

  static byte[] append(byte[] bytes, String extra) {
    byte[] more = extra.getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(bytes, bytes.length + more.length);
    System.arraycopy(more, 0, all, bytes.length, more.length);
    return all;
  }

  static void deleteSidecar(Path backup) throws Exception {
    String name = backup.getFileName().toString();
    Files.delete(
        backup.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".metadata.json"));
  }

  static void refused(Path backup, String password, String... messages) throws Exception {
    assertThatThrownBy(() -> f.restore(backup.toString(), password))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .hasMessageContainingAll(messages)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(ContainerFixture.server.databaseExists(f.target))
        .as("the target database must be left untouched")
        .isFalse();
  }

  static String verify(Path backup, String password, int expectedExit) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        BackyCli.execute(
            f.environment(password),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "verify",
            backup.toString());
    assertThat(exit).as(out + " " + err).isEqualTo(expectedExit);
    return out + err.toString();
  }

  @Test
  void intactBackupsVerify() {
    verify(Path.of(zstdHmac.location()), ContainerFixture.PASSWORD, 0);
    verify(Path.of(zipPlain.location()), null, 0);
    verify(Path.of(sqlHmac.location()), ContainerFixture.PASSWORD, 0);
  }

  @Test
  void checksumBackupVerifiesWithoutAnySecret() {
    assertThat(verify(Path.of(tarChecksum.location()), null, 0)).startsWith("OK ");
  }

  @Test
  void restore_refusesAFlippedPayloadByte() throws Exception {
    Path copy = copy(zstdHmac);
    flipByte(copy, Files.size(copy) / 2);
    refused(copy, ContainerFixture.PASSWORD, "failed verification", "HMAC does not match");
    assertThat(verify(copy, ContainerFixture.PASSWORD, 1)).contains("FAILED", "HMAC");
  }

  @Test
  void restore_refusesATamperedHeader() throws Exception {
    Path copy = copy(zstdHmac);
    byte[] all = Files.readAllBytes(copy);
    // change one digit of the created timestamp: the header still parses
    int at = new String(all, StandardCharsets.ISO_8859_1).indexOf("\"created\":\"") + 12;
    all[at] = (byte) (all[at] == '1' ? '2' : '1');
    Files.write(copy, all);
    refused(copy, ContainerFixture.PASSWORD, "HMAC does not match");
  }

  @Test
  void restore_refusesAFlippedByteWithoutIntegrityToo() throws Exception {
    Path copy = copy(zipPlain);
    flipByte(copy, Files.size(copy) / 2);
    refused(copy, null, "failed verification");
    verify(copy, null, 1);
  }

  @Test
  void restore_refusesATruncatedFile() throws Exception {
    for (BackupResult b : new BackupResult[] {zstdHmac, zipPlain, tarChecksum}) {
      Path copy = copy(b);
      byte[] all = Files.readAllBytes(copy);
      Files.write(copy, Arrays.copyOf(all, all.length - 1000));
      String password =
          "hmac".equals(b.metadata().integrity() == null ? null : b.metadata().integrity().type())
              ? ContainerFixture.PASSWORD
              : null;
      refused(copy, password, "truncated");
      assertThat(verify(copy, password, 1)).contains("truncated");
    }
  }

  /**
   * The zip and tar readers stop at the archive's end record: bytes after it, in a backup without
   * integrity, encryption or sidecar, were read by nothing, and verify called the backup intact.
   */
  @Test
  void bytesAfterTheEndOfAZipOrTarArchive_areRefusedWithOrWithoutTheSidecar() throws Exception {
    for (BackupResult b : new BackupResult[] {zipPlain, tarPlain}) {
      String archive = "zip".equals(b.metadata().compression().type()) ? "zip" : "gzip";
      Path copy = copy(b);
      rewritePayload(copy, p -> append(p, "appended"));
      refused(copy, null, "8 bytes after the end of its " + archive);
      deleteSidecar(copy);
      refused(copy, null, "failed verification: the backup has 8 bytes after the end of its ");
      assertThat(verify(copy, null, 1))
          .startsWith("FAILED " + copy)
          .contains("the backup has 8 bytes after the end of its " + archive);
    }
    // inside the gzip stream, after the tar's end-of-archive blocks
    Path copy = copy(tarPlain);
    rewritePayload(copy, p -> gzip(append(gunzip(p), "appended")));
    deleteSidecar(copy);
    refused(copy, null, "the backup has 8 bytes after the end of its tar archive");
  }

  /**
   * commons-compress never compared a zip entry's content with its CRC-32: in a backup without
   * integrity, encryption or sidecar, a changed byte that still inflated verified as intact.
   */
  @Test
  void aZipEntryThatDoesNotMatchItsCrc_isRefusedWithoutTheSidecar() throws Exception {
    Path copy = copy(zipPlain);
    // the first entry's data descriptor: signature, then its CRC-32
    flipPayloadByte(copy, p -> indexOf(p, new byte[] {'P', 'K', 7, 8}) + 4);
    deleteSidecar(copy);
    refused(copy, null, "failed verification: zip entry ", " does not match its CRC-32");
    assertThat(verify(copy, null, 1))
        .startsWith("FAILED " + copy)
        .contains("does not match its CRC-32 (the backup is damaged)");
  }

  /**
   * The zip reader takes the end of its input for the end of the archive: a zip payload cut where
   * an entry starts (trailer length set), or whose end record was changed, verified as intact.
   */
  @Test
  void aZipArchiveCutAtAnEntryOrWithAChangedEndRecord_isRefusedWithoutTheSidecar()
      throws Exception {
    byte[] local = {'P', 'K', 3, 4};
    Path cut = copy(zipPlain);
    rewritePayload(
        cut,
        p -> {
          int second = indexOf(Arrays.copyOfRange(p, 4, p.length), local) + 4;
          return Arrays.copyOf(p, second);
        });
    deleteSidecar(cut);
    refused(cut, null, "failed verification: the backup's zip archive is truncated or damaged");
    assertThat(verify(cut, null, 1))
        .contains("it does not end with its end of central directory record");
    Path changed = copy(zipPlain);
    // the comment length: the end record says a comment follows
    flipPayloadByte(changed, p -> p.length - 1);
    deleteSidecar(changed);
    refused(changed, null, "the backup's zip archive is truncated or damaged");
  }

  /**
   * The streaming zip reader skipped the central directory, which repeats every entry's name, sizes
   * and CRC-32 (and is what other zip tools believe): a changed byte there, in a backup without
   * integrity, encryption or sidecar, verified as intact.
   */
  @Test
  void aZipCentralDirectoryThatDisagreesWithTheEntries_isRefusedWithoutTheSidecar()
      throws Exception {
    byte[] central = {'P', 'K', 1, 2};
    String entry = "(\\d+) bytes, (\\d+) compressed, CRC-32 ([0-9a-f]{8})";
    String damaged = "the backup's zip archive is damaged: its central directory lists ";
    // the first entry's name: tables.sql becomes uables.sql
    centralDirectoryChanged(
        p -> indexOf(p, central) + 46,
        damaged
            + "uables\\.sql \\("
            + entry
            + "\\), the archive holds tables\\.sql \\(\\1 bytes,"
            + " \\2 compressed, CRC-32 \\3\\)");
    // its CRC-32
    centralDirectoryChanged(
        p -> indexOf(p, central) + 16,
        damaged
            + "tables\\.sql \\("
            + entry
            + "\\), the archive holds tables\\.sql \\(\\1 bytes,"
            + " \\2 compressed, CRC-32 (?!\\3)[0-9a-f]{8}\\)");
    // its size, in the Zip64 extra field that follows the name
    centralDirectoryChanged(
        p -> indexOf(p, central) + 46 + "tables.sql".length() + 4,
        damaged
            + "tables\\.sql \\((\\d+) bytes, (\\d+) compressed, CRC-32 ([0-9a-f]{8})\\), the"
            + " archive holds tables\\.sql \\((?!\\1 )\\d+ bytes, \\2 compressed, CRC-32 \\3\\)");
    // the second entry's signature: the directory ends after the first
    centralDirectoryChanged(
        p -> {
          int first = indexOf(p, central);
          return first + 1 + indexOf(Arrays.copyOfRange(p, first + 1, p.length), central);
        },
        damaged + "1 entry, the archive holds 2");
  }

  /**
   * A copy of the zip backup with the payload byte {@code at} picks flipped and no sidecar: verify
   * (exit 1) and restore refuse it with one line matching {@code problem}.
   */
  static void centralDirectoryChanged(java.util.function.ToIntFunction<byte[]> at, String problem)
      throws Exception {
    Path backup = copy(zipPlain);
    flipPayloadByte(backup, at);
    deleteSidecar(backup);
    assertThat(verify(backup, null, 1))
        .matches(
            "(?s)FAILED "
                + java.util.regex.Pattern.quote(backup.toString())
                + "\\n  "
                + problem
                + "\\nbacky: error: .*");
    assertThatThrownBy(() -> f.restore(backup.toString(), null))
        .isInstanceOf(BackyException.class)
        .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP))
        .message()
        .matches(
            "backup "
                + java.util.regex.Pattern.quote(backup.toString())
                + " failed verification: "
                + problem);
    assertThat(ContainerFixture.server.databaseExists(f.target)).isFalse();
  }

  /** A payload its decoder cannot read is named as damaged, not only by the decoder's words. */
  @Test
  void aTarPayloadThatCannotBeDecompressed_isNamedDamaged() throws Exception {
    Path copy = copy(tarPlain);
    flipPayloadByte(copy, p -> p.length / 2);
    deleteSidecar(copy);
    refused(copy, null, copy + " is damaged: its payload cannot be decompressed (");
    assertThat(verify(copy, null, 1)).contains("is damaged: its payload cannot be decompressed (");
  }

  static int indexOf(byte[] in, byte[] what) {
    for (int i = 0; i + what.length <= in.length; i++) {
      if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  /**
   * The header rules how a {@code .backy} file is read, but list and retention believe the sidecar:
   * one whose layout, compression or integrity is not the header's was changed, and was passed.
   */
  @Test
  void aSidecarThatDisagreesWithTheHeader_isRefused() throws Exception {
    Map<String, java.util.function.Consumer<ObjectNode>> edits = new LinkedHashMap<>();
    edits.put("describes a backup of layout sql", m -> m.put("layout", "sql"));
    edits.put(
        "says compression zip level 6, the file's header says zstd level 1",
        m -> m.putObject("compression").put("type", "zip").put("level", 6));
    edits.put(
        "says compression zstd level 3, the file's header says zstd level 1",
        m -> m.withObject("/compression").put("level", 3));
    edits.put(
        "says integrity checksum SHA-256, the file's header says hmac HMAC-SHA256",
        m -> m.putObject("integrity").put("type", "checksum").put("algorithm", "SHA-256"));
    edits.put(
        "says integrity none, the file's header says hmac HMAC-SHA256", m -> m.remove("integrity"));
    ObjectMapper json = new ObjectMapper();
    for (var edit : edits.entrySet()) {
      Path copy = copy(zstdHmac);
      Path sidecar =
          copy.resolveSibling(copy.getFileName().toString().replace(".backy", ".metadata.json"));
      ObjectNode meta = (ObjectNode) json.readTree(sidecar.toFile());
      edit.getValue().accept(meta);
      json.writeValue(sidecar.toFile(), meta);
      refused(copy, ContainerFixture.PASSWORD, "its metadata sidecar " + edit.getKey());
      assertThat(verify(copy, ContainerFixture.PASSWORD, 1)).contains(edit.getKey());
    }
    Path sql = copy(sqlHmac);
    Path sidecar =
        sql.resolveSibling(sql.getFileName().toString().replace(".sql", ".metadata.json"));
    ObjectNode meta = (ObjectNode) json.readTree(sidecar.toFile());
    meta.putObject("compression").put("type", "zip").put("level", 6);
    json.writeValue(sidecar.toFile(), meta);
    refused(
        sql,
        ContainerFixture.PASSWORD,
        "its metadata sidecar says compression zip, the backup is none (plain SQL)");
  }

  static byte[] gunzip(byte[] gz) {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] bytes) {
    var out = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Test
  void restore_refusesASwappedMetadataFile() throws Exception {
    Path copy = copy(zstdHmac);
    Path other = Path.of(zstdHmacOther.location());
    Files.copy(
        other.resolveSibling(zstdHmacOther.metadata().name() + ".metadata.json"),
        copy.resolveSibling(copy.getFileName().toString().replace(".backy", ".metadata.json")),
        StandardCopyOption.REPLACE_EXISTING);
    refused(copy, ContainerFixture.PASSWORD, "belongs to another backup");
  }

  @Test
  void restore_refusesAWrongIntegrityPassword() throws Exception {
    refused(Path.of(zstdHmac.location()), "not the password", "INTEGRITY_PASSWORD is wrong");
    assertThat(verify(Path.of(zstdHmac.location()), "not the password", 1))
        .contains("INTEGRITY_PASSWORD is wrong");
  }

  /**
   * A missing INTEGRITY_PASSWORD says nothing about the backup: like a backup's, it is a
   * configuration error (exit 2), not a failed verification (exit 1), for restore and verify alike.
   */
  @Test
  void aMissingIntegrityPasswordIsAConfigErrorOfRestoreAndVerify() throws Exception {
    for (BackupResult b : new BackupResult[] {zstdHmac, sqlHmac}) {
      assertThatThrownBy(() -> f.restore(b.location(), null))
          .isInstanceOf(BackyException.class)
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG))
          .hasMessageStartingWith("environment variable INTEGRITY_PASSWORD is not set")
          .hasMessageNotContaining("failed verification");
      assertThat(ContainerFixture.server.databaseExists(f.target)).isFalse();
      assertThat(verify(Path.of(b.location()), null, 2))
          .isEqualTo(
              "backy: error: environment variable INTEGRITY_PASSWORD is not set (required to check "
                  + b.location()
                  + ", which is protected by an HMAC)\n");
      assertThat(verify(Path.of(b.location()), "", 2))
          .startsWith("backy: error: environment variable INTEGRITY_PASSWORD is empty");
    }
  }

  @Test
  void restore_refusesAFileFromANewerBackyDb() throws Exception {
    Path copy = copy(zipPlain);
    byte[] all = Files.readAllBytes(copy);
    all[9] = 7;
    Files.write(copy, all);
    refused(copy, null, "written by a newer BackyDB (format 7)");
  }

  @Test
  void plainSqlWithHmac_refusesAChangedFileAWrongPasswordAndASwappedSidecar() throws Exception {
    Path changed = Path.of(f.backup(null, false, "hmac").location());
    // an edit that keeps the completion marker: only the HMAC (and the SHA-256) can tell
    String sql = Files.readString(changed);
    Files.writeString(changed, sql.replaceFirst("customer 1 ", "customer X "));
    refused(changed, ContainerFixture.PASSWORD, "failed its integrity check");

    refused(Path.of(sqlHmac.location()), "not the password", "INTEGRITY_PASSWORD is wrong");

    Path swapped = copy(sqlHmac);
    Path other = Path.of(zstdHmacOther.location());
    Files.copy(
        other.resolveSibling(zstdHmacOther.metadata().name() + ".metadata.json"),
        swapped.resolveSibling(swapped.getFileName().toString().replace(".sql", ".metadata.json")),
        StandardCopyOption.REPLACE_EXISTING);
    refused(swapped, ContainerFixture.PASSWORD, "belongs to another backup");
  }

  @Test
  void withTheIntegrityPasswordSet_aBackupWithoutAnHmacIsRefusedUnlessTheConfigAcceptsIt()
      throws Exception {
    // what a backup stripped of its HMAC looks like: one that never had one (an unencrypted
    // header and trailer can be rewritten by anyone who can write to the storage)
    refused(Path.of(tarChecksum.location()), ContainerFixture.PASSWORD, "carries no HMAC");
    refused(
        Path.of(zipPlain.location()), ContainerFixture.PASSWORD, "carries no HMAC (no integrity)");
    assertThat(verify(Path.of(tarChecksum.location()), ContainerFixture.PASSWORD, 1))
        .contains("carries no HMAC (integrity checksum)");
    // explicitly accepted: require_hmac: false, or verify --no-require-hmac
    StringWriter out = new StringWriter();
    assertThat(
            BackyCli.execute(
                f.environment(ContainerFixture.PASSWORD),
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true),
                "verify",
                "--no-require-hmac",
                tarChecksum.location()))
        .as(out.toString())
        .isZero();
    Map<String, Object> restore =
        ContainerFixture.server.localRestoreConfig(f.target, tarChecksum.location());
    restore.put("require_hmac", false);
    try (var backy = new io.backydb.BackyDB(f.environment(ContainerFixture.PASSWORD))) {
      backy.restore(restore);
    }
    assertThat(ContainerFixture.server.checksums(f.target))
        .isEqualTo(ContainerFixture.server.checksums(f.source));
    ContainerFixture.server.dropDatabase(f.target);
  }

  @Test
  void plainSqlWithHmac_refusesAMissingSidecarAndAFileDeletedWithOrWithoutItsEntry()
      throws Exception {
    Path single = Path.of(f.backup(null, false, "hmac").location());
    Files.delete(
        single.resolveSibling(single.getFileName().toString().replace(".sql", ".metadata.json")));
    refused(single, ContainerFixture.PASSWORD, "no metadata sidecar");

    BackupResult multi = f.backup(null, true, "hmac");
    Path folder = Path.of(multi.location());
    Path sidecar = folder.resolveSibling(multi.metadata().name() + ".metadata.json");
    assertThat(verify(folder, ContainerFixture.PASSWORD, 0)).startsWith("OK ");
    Path data = folder.resolve("data.sql");
    Path aside = folder.resolveSibling("data.sql.aside");
    Files.move(data, aside);
    refused(folder, ContainerFixture.PASSWORD, "data.sql is missing");
    // the same, with the file's entry taken out of the sidecar too: the list's HMAC tells
    ObjectMapper json = new ObjectMapper();
    ObjectNode meta = (ObjectNode) json.readTree(sidecar.toFile());
    ArrayNode kept = json.createArrayNode();
    meta.withArray("files")
        .forEach(
            e -> {
              if (!e.path("name").asText().endsWith("/data.sql")) {
                kept.add(e);
              }
            });
    assertThat(kept).hasSize(meta.withArray("files").size() - 1);
    meta.set("files", kept);
    json.writeValue(sidecar.toFile(), meta);
    refused(folder, ContainerFixture.PASSWORD, "list of files does not match its HMAC-SHA256");
    assertThat(verify(folder, ContainerFixture.PASSWORD, 1)).contains("list of files");
  }

  @Test
  void aBackupFolderWithoutItsSidecar_isNotAFinishedBackup() throws Exception {
    // what a one-file-per-feature backup killed while it wrote its data leaves: the schema's
    // file committed, the data's never, and no sidecar (written last)
    BackupResult multi = f.backup(null, true, null);
    Path folder = Path.of(multi.location());
    Files.delete(folder.resolve("data.sql"));
    Files.delete(folder.resolveSibling(multi.metadata().name() + ".metadata.json"));
    refused(folder, null, "has no " + multi.metadata().name() + ".metadata.json", "not a finished");
    assertThat(verify(folder, null, 1)).contains("not a finished backup");
  }

  @Test
  void aBackupReplacedBetweenVerificationAndApplicationIsNotApplied() throws Exception {
    for (BackupResult b : new BackupResult[] {zstdHmac, sqlHmac}) {
      // a copy under the same name, in a folder of its own (a plain SQL file is known by its name)
      Path original = Path.of(b.location());
      Path folder = Files.createDirectories(dir.resolve("replaced-" + ++copies));
      Path copy = Files.copy(original, folder.resolve(original.getFileName()));
      String sidecar = b.metadata().name() + ".metadata.json";
      Files.copy(original.resolveSibling(sidecar), folder.resolve(sidecar));
      var storage = new io.backydb.storage.LocalStorage(copy.getParent());
      var source = io.backydb.restore.BackupSource.locate(storage, copy.toString());
      var report =
          new io.backydb.restore.BackupVerifier(
                  f.environment(ContainerFixture.PASSWORD),
                  true,
                  io.backydb.engine.mysql.MySqlEngine::dumpScanner)
              .verify(source);
      assertThat(report.problems()).isEmpty();
      // another backup's bytes, renamed into place, as a tampering copy would
      Path other = copy.resolveSibling("other.tmp");
      Files.copy(Path.of(zstdHmacOther.location()), other);
      Files.move(other, copy, StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(source::openDump)
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("changed while BackyDB was reading it")
          .satisfies(
              e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CORRUPT_BACKUP));
    }
  }

  @Test
  void aRestoreThatFailsInApplyLeavesNoFileOfTheBackupOpen() throws Exception {
    // a user who may create the tables but not insert: apply, with the backup open, refuses it
    // before its first statement (RestorePrivileges)
    String user = TestServer.uniqueName("noinsert");
    ContainerFixture.server.execute(
        "",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY ''",
        "GRANT SELECT, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER ON `"
            + f.target
            + "`.* TO '"
            + user
            + "'@'%'");
    try {
      Map<String, Object> restore =
          ContainerFixture.server.localRestoreConfig(f.target, zstdHmac.location());
      @SuppressWarnings("unchecked")
      Map<String, Object> database =
          new LinkedHashMap<>((Map<String, Object>) restore.get("database"));
      database.put("user", user);
      restore.put("database", database);
      try (var backy = new io.backydb.BackyDB(f.environment(ContainerFixture.PASSWORD))) {
        assertThatThrownBy(() -> backy.restore(restore))
            .isInstanceOf(BackyException.class)
            .hasMessageContaining("it lacks the INSERT privilege");
      }
      assertThat(openFiles())
          .as("files this JVM has open")
          .doesNotContain(Path.of(zstdHmac.location()).toRealPath().toString());
    } finally {
      ContainerFixture.server.execute("", "DROP USER '" + user + "'@'%'");
      ContainerFixture.server.dropDatabase(f.target);
    }
  }

  /** What this process's file descriptors point to (Linux). */
  static List<String> openFiles() throws Exception {
    List<String> open = new ArrayList<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          open.add(Files.readSymbolicLink(fd).toString());
        } catch (java.io.IOException gone) {
          // the listing's own descriptor, closed meanwhile
        }
      }
    }
    return open;
  }

  @Test
  void backupWithHmacNeedsTheIntegrityPassword() {
    Environment noPassword = f.environment(null);
    try (io.backydb.BackyDB backy = new io.backydb.BackyDB(noPassword)) {
      assertThatThrownBy(
              () -> backy.backup(ContainerFixture.backupConfig(f.source, "zstd", false, "hmac")))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("INTEGRITY_PASSWORD")
          .satisfies(e -> assertThat(((BackyException) e).code()).isEqualTo(ErrorCode.CONFIG));
    }
  }
}
