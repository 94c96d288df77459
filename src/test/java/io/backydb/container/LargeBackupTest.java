package io.backydb.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.testing.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup several times larger than the heap: the CLI in a child JVM with {@code -Xmx128m} backs
 * up a ~300 MB database to a zstd {@code .backy} with a checksum, then verifies it — streaming all
 * the way, or it would run out of memory.
 */
class LargeBackupTest {

  static final TestServer server = TestServer.get();
  static final long MIN_DUMP_BYTES = 250L * 1024 * 1024;

  @TempDir Path dir;
  final String source = TestServer.uniqueName("ct_large");

  @AfterEach
  void drop() throws Exception {
    server.dropDatabase(source);
  }

  @Test
  void backupAndVerifyOfSeveralHundredMegabytesAt128MegabytesOfHeap() throws Exception {
    server.createDatabase(source);
    server.execute(
        source,
        // MyISAM only to load the data fast; the dump reads it like any table
        "CREATE TABLE big (id INT PRIMARY KEY, a CHAR(32), b VARCHAR(255), n BIGINT)"
            + " ENGINE=MyISAM",
        "INSERT INTO big SELECT seq, MD5(seq), REPEAT(SHA1(seq), 6), seq * seq"
            + " FROM seq_1_to_1000000");
    Path config = dir.resolve("backup.json");
    Map<String, Object> c = ContainerFixture.backupConfig(source, "zstd", false, "checksum");
    Files.writeString(
        config, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(c));

    List<String> backup = run("backup", "--config", config.toString());
    String location = backup.get(backup.size() - 1);
    assertThat(location).endsWith(".backy");
    BackupMetadata m;
    try (InputStream in =
        Files.newInputStream(Path.of(location).resolveSibling(sidecar(location)))) {
      m = MetadataJson.read(in, "sidecar");
    }
    assertThat(m.sizes().dumpBytes()).isGreaterThan(MIN_DUMP_BYTES);
    assertThat(m.sizes().storedBytes()).isLessThan(m.sizes().dumpBytes());
    assertThat(m.totalRows()).isEqualTo(1_000_000);

    List<String> verify = run("verify", location);
    assertThat(String.join("\n", verify)).contains("OK ", "intact");
  }

  private static String sidecar(String location) {
    String file = Path.of(location).getFileName().toString();
    return file.substring(0, file.length() - ".backy".length()) + BackupMetadata.SUFFIX;
  }

  /** Runs the CLI in a JVM with a 128 MB heap; returns its output lines. */
  private List<String> run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.backydb.cli.BackyCli");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DB_PASSWORD", "");
    pb.environment().put("LOCAL_PATH", dir.resolve("backups").toString());
    pb.environment().put("LOGGING_PATH", dir.toString());
    pb.redirectOutput(dir.resolve("child.log").toFile());
    Process p = pb.start();
    boolean done = p.waitFor(3, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    assertThat(done).as("child JVM finished in time: " + out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
