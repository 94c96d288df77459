package io.backydb.engine.mysql;

import static io.backydb.testing.TestCertificateAuthority.writePem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.config.Environment;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.PartialFiles;
import io.backydb.testing.CliRun;
import io.backydb.testing.KilledChild;
import io.backydb.testing.TestCertificateAuthority;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code database.tls_ca} each connection writes the CA's trust store to java.io.tmpdir for
 * Connector/J and deletes it once connected. A process killed (SIGKILL) while it connected left
 * {@code backydb-tls-ca-<random>.p12} there, and nothing ever removed it.
 */
class TrustStoreLeftoverTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;

  @Test
  void theTrustStoreOfAProcessKilledWhileConnecting_isRemovedByTheNextConnection()
      throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path ca =
        writePem(
            dir.resolve("ca.pem"), TestCertificateAuthority.create("Leftover CA").certificate());
    Map<String, Object> database = new java.util.LinkedHashMap<>(server.databaseConfig("sp_tls"));
    database.put("tls", "verify_ca");
    database.put("tls_ca", ca.toString());
    Path config = dir.resolve("backup.json");
    new ObjectMapper()
        .writeValue(
            config.toFile(),
            Map.of("database", database, "storage", Map.of("storage_type", "local")));
    Map<String, String> env =
        Map.of(
            Environment.DB_PASSWORD, "",
            Environment.LOCAL_PATH, dir.resolve("backups").toString(),
            Environment.LOGGING_PATH, dir.toString());

    // killed as it opens its connection, the trust store written for it
    KilledChild.killAt(
        "java.sql.DriverManager",
        "getConnection",
        () -> !trustStores(tmp).isEmpty(),
        with(env, "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp),
        dir.resolve("child.out"),
        "backup",
        "--config",
        config.toString());
    List<Path> left = trustStores(tmp);
    assertThat(left).hasSize(1);
    Path leftover = left.get(0);
    String name = leftover.getFileName().toString();
    assertThat(name).startsWith(".backydb-tls-ca.p12.");
    assertThat(PartialFiles.isTemporary(name)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(leftover)))
        .isEqualTo("rw-------");

    // another machine's (a container sharing the folder) is kept while fresh: it may be connecting;
    // an older version's is removed once a day old
    Path otherMachine =
        Files.copy(
            leftover, tmp.resolve(name.replaceFirst("\\.m[0-9a-f]{12}\\.", ".m0123456789ab.")));
    assertThat(otherMachine).isNotEqualTo(leftover);
    Path oldFresh = Files.writeString(tmp.resolve("backydb-tls-ca-123.p12"), "x");
    Path oldStale = Files.writeString(tmp.resolve("backydb-tls-ca-456.p12"), "x");
    Files.setLastModifiedTime(
        oldStale,
        FileTime.from(
            Instant.now().minus(BackupStorage.ABANDONED_AFTER).minus(Duration.ofHours(1))));

    // the next connection with a tls_ca, in a process with the same temporary folder
    String tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    try {
      // refused (no TLS, or a certificate this CA did not sign), its trust store written and
      // deleted
      CliRun next = CliRun.backy(env, "backup", "--config", config.toString());
      assertThat(next.err()).startsWith("backy: error: cannot connect to root@");
    } finally {
      System.setProperty("java.io.tmpdir", tmpdir);
    }
    assertThat(leftover).doesNotExist();
    assertThat(oldStale).doesNotExist();
    assertThat(trustStores(tmp)).containsExactlyInAnyOrder(otherMachine, oldFresh);
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    Map<String, String> m = new java.util.HashMap<>(env);
    m.put(name, value);
    return m;
  }

  /** The trust store files in {@code tmp}, of this version or an older one. */
  private static List<Path> trustStores(Path tmp) {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().contains("backydb-tls-ca")).toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(); // listed as the child creates or deletes: look again at the next stop
    }
  }
}
