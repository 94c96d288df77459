package io.backydb.keys;

import static io.backydb.keys.LocalKeystoreProviderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Environment;
import io.backydb.testing.CliRun;
import io.backydb.testing.KilledChild;
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
 * The local keystore writes each file under a temporary name and moves it into place. A {@code keys
 * generate} killed (SIGKILL) between the write of the private key and its move left that temporary
 * file, the private key encrypted under PRIVATE_KEY_PASSWORD, in LOCAL_KEY_STORE_PATH for ever:
 * {@code .tmp-<random>.part}, whose name said nothing of the process that wrote it, so nothing
 * could tell it from a write still running.
 */
class KeystoreLeftoverTest {

  @TempDir Path tmp;

  @Test
  void theKeyFileOfAKilledKeysGenerate_isOwnerOnly_andTheNextKeystoreOperationRemovesIt()
      throws Exception {
    Path keys = tmp.resolve("keys");
    Map<String, String> env =
        Map.of(
            Environment.LOCAL_KEY_STORE_PATH, keys.toString(),
            Environment.PRIVATE_KEY_PASSWORD, PASSWORD,
            Environment.LOGGING_PATH, tmp.toString());
    // killed as it moves the private key's temporary file into place: the first move with a
    // hidden file in the keystore
    KilledChild.killAt(
        "java.nio.file.Files",
        "move",
        () -> !hidden(keys).isEmpty(),
        env,
        tmp.resolve("child.out"),
        "keys",
        "generate");

    List<Path> left = hidden(keys);
    assertThat(left).hasSize(1);
    Path leftover = left.get(0);
    assertThat(files(keys)).containsExactly(leftover); // no key pair, no current
    assertThat(Files.readString(leftover)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(leftover)))
        .isEqualTo("rw-------");

    // the next keystore operation, here keys list, removes it: its process is gone
    CliRun list = CliRun.backy(env, "keys", "list");
    assertThat(list.exit()).isZero();
    assertThat(leftover).doesNotExist();
    assertThat(list.out()).isEqualTo("No keys in LOCAL_KEY_STORE_PATH " + keys + "\n");
    assertThat(list.err()).isEmpty();

    // the temporary file of a process that runs (this one) is a write in progress: kept, and
    // keys list says what it is; so is an old-style one (no process in its name) under a day old,
    // while a day-old one goes
    String self = Long.toString(ProcessHandle.current().pid());
    Path running =
        Files.writeString(
            keys.resolve(
                leftover.getFileName().toString().replaceFirst("\\.[0-9]+\\.", "." + self + ".")),
            "x");
    assertThat(running.getFileName().toString()).contains("." + self + ".");
    Path oldFresh = Files.writeString(keys.resolve(".tmp-123.part"), "x");
    Path oldStale = Files.writeString(keys.resolve(".tmp-456.part"), "x");
    Files.setLastModifiedTime(oldStale, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
    Path notOurs = Files.writeString(keys.resolve(".notes.partial"), "x");
    Files.setLastModifiedTime(notOurs, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

    list = CliRun.backy(env, "keys", "list");
    assertThat(list.exit()).isZero();
    assertThat(files(keys)).containsExactlyInAnyOrder(running, oldFresh, notOurs);
    assertThat(list.err().lines())
        .containsExactlyInAnyOrder(
            running
                + ": a key file another process is writing (or one left by a process killed"
                + " on another host sharing the folder: removed once untouched for 24 hours);"
                + " not a key",
            oldFresh
                + ": a key file another process is writing (or one left by a process killed"
                + " on another host sharing the folder: removed once untouched for 24 hours);"
                + " not a key");

    // and a key pair is made as ever, its temporary files moved into place
    assertThat(CliRun.backy(env, "keys", "generate").exit()).isZero();
    assertThat(files(keys)).hasSize(6);
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static List<Path> hidden(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try {
      return files(dir).stream().filter(p -> p.getFileName().toString().startsWith(".")).toList();
    } catch (Exception e) {
      return List.of(); // listed as the child creates or moves a file: look again at the next stop
    }
  }
}
