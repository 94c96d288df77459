package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartialFilesTest {

  static final Instant NOW = Instant.now();
  static final Instant STALE = NOW.minus(PartialFiles.FOREIGN_ABANDONED_AFTER).minusSeconds(60);
  static long deadPid;

  @BeforeAll
  static void aProcessThatHasEnded() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    deadPid = p.pid();
    assertThat(ProcessHandle.of(deadPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  private static String name(String machine, long pid) {
    return ".shop_20261207T001500Z.backy." + machine + "." + pid + ".0f8e-uuid.partial";
  }

  @Test
  void aFileOfThisMachineIsAbandonedExactlyWhenItsProcessHasEnded() {
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, deadPid), NOW, NOW)).isTrue();
    long self = ProcessHandle.current().pid();
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, self), NOW, NOW)).isFalse();
  }

  @Test
  void aNewNameIsThisProcesssAndStillBeingWritten() {
    Path temp = PartialFiles.beside(Path.of("/backups/shop.backy"));
    String name = temp.getFileName().toString();
    assertThat(name).startsWith(".shop.backy." + PartialFiles.MACHINE + ".").endsWith(".partial");
    assertThat(temp.getParent()).isEqualTo(Path.of("/backups"));
    assertThat(PartialFiles.abandoned(name, NOW, NOW)).isFalse();
  }

  /**
   * A pid taken on another host or in another container means nothing here: that file is kept,
   * however dead the same pid is here, until nobody has written to it for a day.
   */
  @Test
  void aFileOfAnotherMachineIsAbandonedOnlyByAge() {
    String foreign = name("m0123456789ab", deadPid);
    assertThat(PartialFiles.abandoned(foreign, NOW.minus(Duration.ofHours(2)), NOW)).isFalse();
    assertThat(PartialFiles.abandoned(foreign, STALE, NOW)).isTrue();
  }

  @Test
  void aFileNamedBeforeMachinesWereIsAbandonedOnlyByAge() {
    String legacy = ".shop_20261207T001500Z.backy." + deadPid + ".0f8e-uuid.partial";
    assertThat(PartialFiles.abandoned(legacy, NOW, NOW)).isFalse();
    assertThat(PartialFiles.abandoned(legacy, STALE, NOW)).isTrue();
  }

  @Test
  void aReusedPidIsAbandonedByAgeToo() {
    long self = ProcessHandle.current().pid();
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, self), STALE, NOW)).isTrue();
  }

  @Test
  void theMachineIsStableAndNeedsNoDotsOrSeparators() {
    assertThat(PartialFiles.MACHINE).matches("m[0-9a-f]{12}");
  }
}
