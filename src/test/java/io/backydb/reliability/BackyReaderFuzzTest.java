package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.config.Environment;
import io.backydb.engine.mysql.MySqlEngine;
import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.storage.LocalStorage;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Assertions;

/**
 * Fuzzes the whole {@code .backy} read path (header, trailer, integrity, decompression, bundle) as
 * {@code verify} and every restore run it: real backups of each codec with random bytes changed,
 * cut, inserted or replaced by noise. Whatever the input, reading ends within seconds with either a
 * report or a clean {@link BackyException} — never a hang, an OutOfMemoryError or another
 * exception.
 */
class BackyReaderFuzzTest {

  static final String PASSWORD = "fuzz integrity password";
  static Path dir;
  static String db;
  static final List<byte[]> samples = new ArrayList<>();
  static Environment env;
  static final AtomicInteger counter = new AtomicInteger();

  @BeforeContainer
  static void makeSamples() throws Exception {
    dir = Files.createTempDirectory("backy-fuzz");
    TestServer server = TestServer.get();
    db = TestServer.uniqueName("fuzz");
    server.createDatabase(db);
    server.execute(
        db,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100), b BLOB)",
        "INSERT INTO t SELECT seq, CONCAT('row ', seq, ' ;'), UNHEX(MD5(seq)) FROM seq_1_to_3000");
    Map<String, String> vars = new HashMap<>();
    vars.put("DB_PASSWORD", "");
    vars.put("LOGGING_PATH", dir.toString());
    vars.put("LOCAL_PATH", dir.resolve("made").toString());
    vars.put("INTEGRITY_PASSWORD", PASSWORD);
    env = Environment.of(vars);
    try (BackyDB backy = new BackyDB(env)) {
      for (String codec : List.of("zstd", "zip", "tar")) {
        for (String integrity : List.of("hmac", "checksum")) {
          String location =
              backy
                  .backup(
                      Map.of(
                          "database", server.databaseConfig(db),
                          "compression", Map.of("compression", true, "compression_type", codec),
                          "integrity", Map.of("integrity_check", true, "integrity_type", integrity),
                          "storage", Map.of("storage_type", "local")))
                  .location();
          samples.add(Files.readAllBytes(Path.of(location)));
        }
      }
    }
  }

  @AfterContainer
  static void cleanUp() throws Exception {
    TestServer.get().dropDatabase(db);
  }

  @Provide
  Arbitrary<byte[]> damagedBackups() {
    Arbitrary<byte[]> sample = Arbitraries.of(samples);
    return Arbitraries.oneOf(
        // flip a few bytes anywhere
        sample.flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, s.length - 1)
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(4)
                    .map(
                        ps -> {
                          byte[] c = s.clone();
                          ps.forEach(p -> c[p] ^= (byte) (1 + (p % 255)));
                          return c;
                        })),
        // cut anywhere
        sample.flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, s.length - 1)
                    .map(n -> java.util.Arrays.copyOf(s, n))),
        // insert noise
        sample.flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, s.length)
                    .flatMap(
                        at ->
                            Arbitraries.bytes()
                                .array(byte[].class)
                                .ofMaxSize(64)
                                .map(
                                    noise -> {
                                      byte[] c = new byte[s.length + noise.length];
                                      System.arraycopy(s, 0, c, 0, at);
                                      System.arraycopy(noise, 0, c, at, noise.length);
                                      System.arraycopy(s, at, c, at + noise.length, s.length - at);
                                      return c;
                                    }))),
        // pure noise, sometimes with a valid magic in front
        Arbitraries.bytes().array(byte[].class).ofMaxSize(4096),
        sample.flatMap(
            s ->
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofMaxSize(4096)
                    .map(
                        noise -> {
                          byte[] c = java.util.Arrays.copyOf(s, 14 + noise.length);
                          System.arraycopy(noise, 0, c, 14, noise.length);
                          return c;
                        })));
  }

  @Property(tries = 250)
  void damagedBackupsFailCleanly(@ForAll("damagedBackups") byte[] bytes) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("fuzz-" + counter.incrementAndGet()));
    Path file = folder.resolve("fuzzed.backy");
    Files.write(file, bytes);
    Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          try {
            BackupSource source = BackupSource.locate(new LocalStorage(folder), file.toString());
            BackupVerifier.Report report =
                new BackupVerifier(env, false, MySqlEngine::dumpScanner).verify(source);
            assertThat(report).isNotNull();
          } catch (BackyException expected) {
            assertThat(expected.getMessage()).isNotBlank().doesNotContain("\n");
          } catch (IOException e) {
            throw new AssertionError("an IOException escaped instead of a clean BackyException", e);
          }
        });
    Files.delete(file);
  }
}
