package io.backydb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.engine.DumpInput;
import io.backydb.format.BundleWriter;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.PartialFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar encoder's temporary files never hold the SQL in plaintext. */
class EncryptedSpoolTest {

  static final String MARKER = "INSERT INTO `secret_table` VALUES ('card 4111-1111-1111-1111');\n";

  /** A few MiB of SQL, so that the spool writes several encrypted segments to disk. */
  static byte[] sql(int copies) {
    return MARKER.repeat(copies).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void spoolsEncryptedOwnerOnlyAndGivesBackTheSameBytes() throws Exception {
    byte[] content = sql(50_000);
    assertThat(contains(content, "secret_table")).isTrue();
    Path file;
    try (EncryptedSpool spool = new EncryptedSpool()) {
      file = spool.file();
      assertThat(spool.write(new ByteArrayInputStream(content))).isEqualTo(content.length);

      byte[] onDisk = Files.readAllBytes(file);
      assertThat(onDisk.length).isGreaterThan(content.length); // the whole stream, plus GCM tags
      assertThat(contains(onDisk, "secret_table")).isFalse();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");

      ByteArrayOutputStream back = new ByteArrayOutputStream();
      spool.copyTo(back);
      assertThat(back.toByteArray()).isEqualTo(content);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void aChangedSpoolFileIsRefused() throws Exception {
    try (EncryptedSpool spool = new EncryptedSpool()) {
      spool.write(new ByteArrayInputStream(sql(40_000)));
      byte[] onDisk = Files.readAllBytes(spool.file());
      onDisk[onDisk.length / 2] ^= 1;
      Files.write(spool.file(), onDisk);
      assertThatThrownBy(() -> spool.copyTo(OutputStream.nullOutputStream()))
          .hasMessageContaining("authentication failed");
    }
  }

  @Test
  void tarEncoderLeavesNoPlaintextInTemporaryFiles() throws Exception {
    byte[] first = sql(60_000);
    byte[] second = "CREATE VIEW v AS SELECT 1;\n".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    try (BundleWriter w = new BundleWriter(bundle)) {
      try (OutputStream f = w.newFile("data.sql")) {
        f.write(first);
      }
      try (OutputStream f = w.newFile("views.sql")) {
        f.write(second);
      }
    }
    // look at every spool file while the encoder reads the bundle, i.e. while it spools
    SpoolWatcher watched = new SpoolWatcher(new ByteArrayInputStream(bundle.toByteArray()));
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    new TarGzCodec().encode(watched, tar, 1);

    assertThat(watched.bytesSeen).as("spool bytes looked at").isGreaterThan(1 << 20);
    assertThat(watched.plaintextSeen).as("plaintext in a spool file").isFalse();

    Map<String, byte[]> files = new HashMap<>();
    DumpInput in = new TarGzCodec().decode(new ByteArrayInputStream(tar.toByteArray()));
    DumpInput.DumpFile f;
    while ((f = in.next()) != null) {
      files.put(f.name(), f.content().readAllBytes());
    }
    assertThat(files.keySet()).containsExactlyInAnyOrder("data.sql", "views.sql");
    assertThat(files.get("data.sql")).isEqualTo(first);
    assertThat(files.get("views.sql")).isEqualTo(second);
  }

  /** Reads the spool files in the temporary folder on every read of the stream it wraps. */
  static final class SpoolWatcher extends FilterInputStream {
    long bytesSeen;
    boolean plaintextSeen;

    SpoolWatcher(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      look();
      return super.read(b, off, len);
    }

    @Override
    public int read() throws IOException {
      look();
      return super.read();
    }

    private void look() throws IOException {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      try (DirectoryStream<Path> spools = Files.newDirectoryStream(tmp, ".backy-spool.*")) {
        for (Path p : spools) {
          byte[] bytes;
          try {
            bytes = Files.readAllBytes(p);
          } catch (IOException gone) { // another test's spool, deleted meanwhile
            continue;
          }
          bytesSeen += bytes.length;
          plaintextSeen |= contains(bytes, "secret_table");
        }
      }
    }
  }

  static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The spool decided "abandoned" by the pid alone: in a temporary folder shared between containers
   * (each its own pid namespace) a spool running in another one was deleted where its pid meant no
   * process here, and a dead one whose pid was reused was kept for ever. It now follows the
   * project's rule ({@link PartialFiles}): a pid counts only on the machine that took it.
   */
  @Test
  void aSpoolFileIsRemovedWhenItsProcessIsGoneFromThisMachine_orItIsADayOld(@TempDir Path dir)
      throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    String dead = Long.toString(ended.pid());
    String self = Long.toString(ProcessHandle.current().pid());
    String own = PartialFiles.beside(dir.resolve("backy-spool")).getFileName().toString();
    assertThat(own).startsWith(".backy-spool.").contains("." + self + ".");
    String foreignMachine = "m0123456789ab";
    assertThat(own).doesNotContain(foreignMachine);

    Path mine = Files.writeString(dir.resolve(own), "x");
    Path killedHere =
        Files.writeString(dir.resolve(own.replace("." + self + ".", "." + dead + ".")), "x");
    // another container's running spool: its pid (dead, or some other process, here) says nothing
    Path otherMachineFresh =
        Files.writeString(
            dir.resolve(
                own.replaceFirst("\\.m[0-9a-f]{12}\\.", "." + foreignMachine + ".")
                    .replace("." + self + ".", "." + dead + ".")),
            "x");
    Path otherMachineLive =
        Files.writeString(
            dir.resolve(
                own.replaceFirst("\\.m[0-9a-f]{12}\\.", "." + foreignMachine + ".")
                    .replace("." + self + ".", ".1.")
                    .replaceFirst("[0-9a-f]{8}-", "00000000-")),
            "x");
    // another machine's, untouched for longer than the storage-wide limit: its process is gone
    Path otherMachineStale =
        Files.writeString(
            dir.resolve(
                own.replaceFirst("\\.m[0-9a-f]{12}\\.", "." + foreignMachine + ".")
                    .replaceFirst("[0-9a-f]{8}-", "11111111-")),
            "x");
    Instant stale = Instant.now().minus(BackupStorage.ABANDONED_AFTER).minus(Duration.ofMinutes(5));
    Files.setLastModifiedTime(otherMachineStale, FileTime.from(stale));
    // an older version's names (the pid alone): kept while fresh, removed once a day old
    Path legacyFresh = Files.writeString(dir.resolve("backy-spool-" + dead + "-123.tmp"), "x");
    Path legacyStale = Files.writeString(dir.resolve("backy-spool-" + dead + "-456.tmp"), "x");
    Files.setLastModifiedTime(legacyStale, FileTime.from(stale));
    Path notOurs = Files.writeString(dir.resolve("notes-" + dead + "-1.tmp"), "x");
    Files.setLastModifiedTime(notOurs, FileTime.from(stale));

    EncryptedSpool.removeAbandoned(dir);

    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left)
          .containsExactlyInAnyOrder(
              mine, otherMachineFresh, otherMachineLive, legacyFresh, notOurs);
    }
    assertThat(killedHere).doesNotExist();
    assertThat(otherMachineStale).doesNotExist();
    assertThat(legacyStale).doesNotExist();
  }

  /** A new spool is named for this process and machine, in java.io.tmpdir. */
  @Test
  void aSpoolIsNamedForItsProcess() throws Exception {
    try (EncryptedSpool spool = new EncryptedSpool()) {
      String name = spool.file().getFileName().toString();
      assertThat(PartialFiles.isTemporary(name)).as(name).isTrue();
      assertThat(name)
          .startsWith(".backy-spool.m")
          .contains("." + ProcessHandle.current().pid() + ".");
      assertThat(spool.file().getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
      assertThat(PartialFiles.abandoned(name, Instant.now(), Instant.now())).isFalse();
    }
  }
}
