package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartialFilesTest {

  final Instant now = Instant.now();
  final Instant stale = now.minus(PartialFiles.FOREIGN_ABANDONED_AFTER).minusSeconds(60);
  static long deadPid;
  static final String UUID = "0f8e1c2a-5b3d-4e6f-8a9b-0c1d2e3f4a5b";

  @BeforeAll
  static void aProcessThatHasEnded() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    deadPid = p.pid();
    assertThat(ProcessHandle.of(deadPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  private static String name(String machine, long pid) {
    return ".shop_20261207T001500Z.backy." + machine + "." + pid + "." + UUID + ".partial";
  }

  @Test
  void aFileOfThisMachineIsAbandonedExactlyWhenItsProcessHasEnded() {
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, deadPid), now, now)).isTrue();
    long self = ProcessHandle.current().pid();
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, self), now, now)).isFalse();
  }

  @Test
  void aNewNameIsThisProcesssAndStillBeingWritten() {
    Path temp = PartialFiles.beside(Path.of("/backups/shop.backy"));
    String name = temp.getFileName().toString();
    assertThat(PartialFiles.isTemporary(name)).isTrue();
    assertThat(name).startsWith(".shop.backy." + PartialFiles.MACHINE + ".").endsWith(".partial");
    assertThat(temp.getParent()).isEqualTo(Path.of("/backups"));
    assertThat(PartialFiles.abandoned(name, now, now)).isFalse();
  }

  /**
   * A pid taken on another host or in another container means nothing here: that file is kept,
   * however dead the same pid is here, until nobody has written to it for a day.
   */
  @Test
  void aFileOfAnotherMachineIsAbandonedOnlyByAge() {
    String foreign = name("m0123456789ab", deadPid);
    assertThat(PartialFiles.abandoned(foreign, now.minus(Duration.ofHours(2)), now)).isFalse();
    assertThat(PartialFiles.abandoned(foreign, stale, now)).isTrue();
  }

  @Test
  void aFileNamedBeforeMachinesWereIsAbandonedOnlyByAge() {
    String legacy = ".shop_20261207T001500Z.backy." + deadPid + "." + UUID + ".partial";
    assertThat(PartialFiles.abandoned(legacy, now, now)).isFalse();
    assertThat(PartialFiles.abandoned(legacy, stale, now)).isTrue();
  }

  /**
   * Only the names BackyDB gives its temporary files are ever abandoned: a user's file that merely
   * ends in .partial is kept however old it is.
   */
  @Test
  void aNameBackyDbDoesNotGiveIsNeverAbandoned() {
    String ours = name(PartialFiles.MACHINE, deadPid);
    assertThat(PartialFiles.isTemporary(ours)).isTrue();
    assertThat(PartialFiles.isTemporary(".shop.sql." + UUID + ".partial")).as("oldest").isTrue();
    for (String other :
        new String[] {
          "notes.partial",
          ".notes.partial",
          "download.sql.partial",
          ours.substring(1), // not hidden
          ".shop.backy.m0123456789ab.42.0f8e-uuid.partial", // no uuid
          ".shop.backy.m0123456789ab.42." + UUID.toUpperCase(java.util.Locale.ROOT) + ".partial",
          "." + UUID + ".partial", // no name
          ours + ".bak",
        }) {
      assertThat(PartialFiles.isTemporary(other)).as(other).isFalse();
      assertThat(PartialFiles.abandoned(other, stale, now)).as(other).isFalse();
    }
  }

  @Test
  void aReusedPidIsAbandonedByAgeToo() {
    long self = ProcessHandle.current().pid();
    assertThat(PartialFiles.abandoned(name(PartialFiles.MACHINE, self), stale, now)).isTrue();
  }

  @Test
  void theMachineIsStableAndNeedsNoDotsOrSeparators() {
    assertThat(PartialFiles.MACHINE).matches("m[0-9a-f]{12}");
  }
}
