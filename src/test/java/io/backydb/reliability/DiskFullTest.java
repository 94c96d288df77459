package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills up mid-backup: a 2 MiB tmpfs as LOCAL_PATH and a dump several times larger. The
 * backup fails with one line naming the file and the cause, and leaves nothing behind. Mounting
 * needs root (CI runs as root); elsewhere the test is reported as aborted, not passed.
 */
class DiskFullTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  Path mount;
  String db;

  @BeforeEach
  void setUp() throws Exception {
    mount = Files.createDirectories(dir.resolve("small-disk"));
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    Assumptions.assumeTrue(
        p.waitFor() == 0, "cannot mount a tmpfs here (needs root): " + out.strip());
    db = TestServer.uniqueName("diskfull");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE t (id INT PRIMARY KEY, pad VARCHAR(200))",
        "INSERT INTO t SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_40000");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (db != null) {
      server.dropDatabase(db);
      new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }
  }

  @Test
  void aFullDiskFailsTheBackupWithOneLineAndLeavesNothing() throws Exception {
    assertThat(failedBackup(mount.resolve("backups"), Map.of()).getMessage())
        .contains("writing " + mount.resolve("backups"))
        .contains("No space left on device");
    List<Path> left;
    try (Stream<Path> s = Files.walk(mount)) {
      left = s.filter(Files::isRegularFile).toList();
    }
    assertThat(left).as("no backup, no sidecar, no temporary file").isEmpty();
  }

  /**
   * A tar backup spools each SQL file to java.io.tmpdir first; when that is what fills up, the line
   * said only {@code backy-compress-tar failed: No space left on device}, naming neither the folder
   * nor where it comes from, while the backup folder had room to spare.
   */
  @Test
  void aFullTemporaryFolderFailsATarBackupWithOneLineNamingIt() throws Exception {
    Path backups = dir.resolve("backups");
    String tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", mount.toString());
    try {
      Map<String, Object> tar =
          Map.of("compression", Map.of("compression", true, "compression_type", "tar"));
      assertThat(failedBackup(backups, tar).getMessage())
          .startsWith("writing the temporary file " + mount.resolve(".backy-spool."))
          .contains(
              "failed: No space left on device (the temporary folder is java.io.tmpdir:"
                  + " -Djava.io.tmpdir=DIR in BACKY_JAVA_OPTS moves it)");
    } finally {
      System.setProperty("java.io.tmpdir", tmpdir);
    }
    // a spool file deleted while still open keeps its space taken until the process ends, and a
    // service's next tar backups would fail on the same full folder
    assertThat(openFilesUnder(mount)).as("no file under the temporary folder held open").isEmpty();
    for (Path folder : List.of(mount, backups)) {
      try (Stream<Path> s = Files.walk(folder)) {
        assertThat(s.filter(Files::isRegularFile)).as("nothing left in " + folder).isEmpty();
      }
    }
  }

  /**
   * The backup of the test's database with {@code sections} added, into local storage at {@code
   * localPath}: it must fail with one line, as a storage error.
   */
  private BackyException failedBackup(Path localPath, Map<String, Object> sections)
      throws Exception {
    Map<String, Object> config = new HashMap<>(sections);
    config.put("database", server.databaseConfig(db));
    config.put("storage", Map.of("storage_type", "local"));
    Throwable failure;
    try (BackyDB backy = new BackyDB(TestServer.environment(localPath, dir))) {
      failure = catchThrowable(() -> backy.backup(config));
    }
    assertThat(failure).isInstanceOf(BackyException.class);
    BackyException e = (BackyException) failure;
    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
    assertThat(e.getMessage()).doesNotContain("\n");
    return e;
  }

  /** The files this process holds open under {@code folder}, deleted ones included (Linux). */
  private static List<String> openFilesUnder(Path folder) throws Exception {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(DiskFullTest::target).filter(t -> t.startsWith(folder + "/")).toList();
    }
  }

  private static String target(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (java.io.IOException e) {
      return ""; // closed since it was listed (the listing's own descriptor, say)
    }
  }
}
