package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest extends StorageContractTest {

  @TempDir Path dir;

  @Override
  BackupStorage newStorage() {
    return new LocalStorage(dir.resolve("backups"));
  }

  @Override
  void assertNoUnfinishedWrites() throws Exception {
    Path root = dir.resolve("backups");
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(PartialFiles.SUFFIX));
    }
  }

  @Override
  String foreignLocation() {
    return dir.resolve("elsewhere/x.sql").toString();
  }

  /**
   * What a write has flushed so far is read from its temporary file ({@code keys retire} reads a
   * running backup's header there); not where two writes of one name run, since either may be the
   * one committed, nor once it is committed.
   */
  @Test
  void openBeingWritten_readsTheWriteSoFar_onlyWhileItIsTheOnlyOne() throws Exception {
    byte[] head = data(100, 1);
    PendingWrite w = storage.create("db_20261126T101500Z.backy");
    w.stream().write(head);
    w.stream().flush();
    try (java.io.InputStream in = storage.openBeingWritten("db_20261126T101500Z.backy")) {
      assertThat(in.readAllBytes()).isEqualTo(head);
    }

    PendingWrite other = storage.create("db_20261126T101500Z.backy");
    assertThat(storage.openBeingWritten("db_20261126T101500Z.backy")).isNull();
    other.abort();
    w.commit();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> storage.openBeingWritten("db_20261126T101500Z.backy"))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  /**
   * Another host (or container) writes a backup into the same folder: its temporary file names a
   * pid that is not running here. It is kept while it is being written, and removed once a day has
   * passed without a write.
   */
  @Test
  void anotherMachinesTemporaryFileIsKeptUntilItIsADayOld() throws Exception {
    LocalStorage storage = new LocalStorage(dir.resolve("backups"));
    Path foreign =
        Files.createDirectories(dir.resolve("backups"))
            .resolve(
                ".shop.backy.m0123456789ab.999999999.0f8e1c2a-5b3d-4e6f-8a9b-0c1d2e3f4a5b.partial");
    Files.write(foreign, new byte[10]);

    assertThat(storage.cleanPartials()).isZero();
    assertThat(foreign).exists();

    Files.setLastModifiedTime(
        foreign,
        java.nio.file.attribute.FileTime.from(
            Instant.now().minus(PartialFiles.FOREIGN_ABANDONED_AFTER).minusSeconds(60)));
    assertThat(storage.cleanPartials()).isOne();
    assertThat(foreign).doesNotExist();
  }

  /**
   * The clean-up deletes only what BackyDB names its temporary files, at the top level or in a
   * folder backup's folder: a user's day-old files that merely end in .partial, hidden or not, in
   * the folder or a sub-folder, are kept.
   */
  @Test
  void onlyBackyDbsOwnTemporaryFilesAreCleanedUp() throws Exception {
    Path root = Files.createDirectories(dir.resolve("backups"));
    Files.createDirectories(root.resolve("sub"));
    Files.createDirectories(root.resolve("shop_20261207T001500Z"));
    String uuid = "0f8e1c2a-5b3d-4e6f-8a9b-0c1d2e3f4a5b";
    java.util.List<Path> theirs =
        java.util.List.of(
            root.resolve("notes.partial"),
            root.resolve(".notes.partial"),
            root.resolve("shop.sql.m0123456789ab.1." + uuid + ".partial"),
            root.resolve(".shop.sql.m0123456789ab.1.not-a-uuid.partial"),
            root.resolve("sub/download.sql.partial"),
            root.resolve("sub/.download.sql.partial"));
    java.util.List<Path> ours =
        java.util.List.of(
            root.resolve(
                ".shop_20261207T001500Z.backy.m0123456789ab.999999999." + uuid + ".partial"),
            root.resolve("shop_20261207T001500Z/.data.sql.m0123456789ab.1." + uuid + ".partial"),
            root.resolve(".shop_20261207T001500Z.sql.999999999." + uuid + ".partial"));
    java.nio.file.attribute.FileTime dayOld =
        java.nio.file.attribute.FileTime.from(
            Instant.now().minus(PartialFiles.FOREIGN_ABANDONED_AFTER).minusSeconds(60));
    for (Path p : Stream.concat(theirs.stream(), ours.stream()).toList()) {
      Files.write(p, new byte[10]);
      Files.setLastModifiedTime(p, dayOld);
    }

    assertThat(new LocalStorage(root).cleanPartials()).isEqualTo(ours.size());

    assertThat(theirs).allMatch(Files::exists);
    assertThat(ours).noneMatch(Files::exists);
    // the folder whose only file was a killed write's goes with it
    assertThat(root.resolve("shop_20261207T001500Z")).doesNotExist();
    assertThat(root.resolve("sub")).exists();
  }

  /**
   * Two backups into one folder (two service nodes, or two schedules of one node): the first write
   * of each cleans abandoned temporary files while the other commits, so files vanish under the
   * walk. That must neither fail the backup nor remove the other's temporary file.
   */
  @Test
  void cleaningPartialsWhileAnotherBackupCommitsInTheSameFolder() throws Exception {
    LocalStorage storage = new LocalStorage(dir.resolve("backups"));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger commits = new AtomicInteger();
    CompletableFuture<Integer> committer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                while (!stop.get()) {
                  try (PendingWrite w = storage.create("sub/b" + commits.get() + ".sql")) {
                    w.stream().write(1);
                    w.commit();
                  }
                  commits.incrementAndGet();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              return commits.get();
            });
    int walks = 0;
    // until enough commits have raced the walks: each one syncs to disk, slow on some machines
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    try {
      while (commits.get() <= 100 && Instant.now().isBefore(deadline) && !committer.isDone()) {
        assertThat(storage.cleanPartials()).as("the other backup's file is its own").isZero();
        assertThat(storage.list(".sql")).allMatch(n -> n.startsWith("sub/b"));
        walks++;
      }
    } finally {
      stop.set(true);
    }
    int committed = committer.get();
    assertThat(walks).isPositive();
    assertThat(committed).as("commits raced the walks").isGreaterThan(100);
    try (Stream<Path> files = Files.list(dir.resolve("backups/sub"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".sql"))).hasSize(committed);
    }
  }
}
