package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.BackyDB;
import io.backydb.config.RetentionConfig;
import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.PendingWrite;
import io.backydb.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which backups a retention run may count and delete, on a real local storage. The backups here are
 * written as BackyDB writes them (a {@code .sql} file and its sidecar) for servers this machine
 * does not have (a production and a staging host).
 */
class PrunerTest {

  static final Instant T0 = Instant.parse("2026-01-10T03:00:00Z");
  static final RetentionConfig KEEP_1 = new RetentionConfig(1, null, null, null);
  static final RetentionConfig KEEP_2 = new RetentionConfig(2, null, null, null);
  static final Set<String> DEFAULT_FEATURES = Set.of("tables", "data");
  static final Pruner.Pool PROD =
      new Pruner.Pool("db-prod", 3306, "shop", DEFAULT_FEATURES, Set.of());
  static final TestServer server = TestServer.get();

  @TempDir Path dir;

  /** A finished backup of {@code db} on {@code host:port} in {@code folder} ("" = the root). */
  private String backup(String folder, String host, int port, String db, Instant startedAt)
      throws IOException {
    return backup(folder, host, port, db, startedAt, List.of("tables", "data"), null);
  }

  /** The same, with the features and the table filter (null: every table) it was asked for. */
  private String backup(
      String folder,
      String host,
      int port,
      String db,
      Instant startedAt,
      List<String> features,
      List<String> tableFilter)
      throws IOException {
    LocalStorage storage = new LocalStorage(dir.resolve(folder));
    String name = BackupNaming.name(db, startedAt);
    byte[] sql = ("-- " + host + " " + name + "\n").getBytes(StandardCharsets.UTF_8);
    try (PendingWrite w = storage.create(name + ".sql")) {
      w.stream().write(sql);
      w.commit();
    }
    BackupMetadata m =
        new BackupMetadata(
            BackupMetadata.VERSION,
            name,
            name,
            new BackupMetadata.Tool("BackyDB", "test"),
            startedAt,
            startedAt.plusSeconds(5),
            5000,
            new BackupMetadata.Source(
                "mysql", host, port, "10.11", db, "utf8mb4", "utf8mb4_general_ci"),
            features,
            tableFilter,
            false,
            BackupMetadata.LAYOUT_SQL,
            null,
            List.of(new BackupMetadata.StoredFile(name + ".sql", sql.length, "00")),
            List.of(),
            new BackupMetadata.Compression("none", null),
            null,
            null,
            new BackupMetadata.Sizes(sql.length, sql.length));
    try (PendingWrite w = storage.create(BackupMetadata.sidecarName(name))) {
      w.stream().write(MetadataJson.write(m));
      w.commit();
    }
    return folder.isEmpty() ? name : folder + "/" + name;
  }

  private boolean exists(String backup) {
    return Files.exists(dir.resolve(backup + ".sql"))
        && Files.exists(dir.resolve(backup + BackupMetadata.SUFFIX));
  }

  private Pruner.Result prune(Pruner.Pool pool, RetentionConfig rules, String current)
      throws IOException {
    return new Pruner(new LocalStorage(dir)).prune(rules, pool, current, false);
  }

  @Test
  void backupsOfTheSameDatabaseOnAnotherServer_areNeitherCountedNorDeleted() throws Exception {
    String prodOld = backup("", "db-prod", 3306, "shop", T0);
    String prodNew = backup("", "DB-PROD", 3306, "shop", T0.plus(Duration.ofDays(1)));
    // staging's backups are newer: they would take prod's keep slots
    String staging1 = backup("", "db-staging", 3306, "shop", T0.plus(Duration.ofDays(2)));
    String staging2 = backup("", "db-staging", 3306, "shop", T0.plus(Duration.ofDays(3)));
    String otherPort = backup("", "db-prod", 3307, "shop", T0.plus(Duration.ofDays(4)));

    Pruner.Result r = prune(PROD, KEEP_1, null);

    assertThat(r.removed()).extracting(e -> e.metadata().name()).containsExactly(prodOld);
    assertThat(r.kept()).extracting(e -> e.metadata().name()).containsExactly(prodNew);
    assertThat(exists(prodOld)).isFalse();
    assertThat(exists(prodNew)).isTrue();
    assertThat(exists(staging1)).isTrue();
    assertThat(exists(staging2)).isTrue();
    assertThat(exists(otherPort)).isTrue();
  }

  @Test
  void backupsInASubFolder_areNeitherCountedNorDeleted() throws Exception {
    String a = backup("", "db-prod", 3306, "shop", T0);
    String b = backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));
    // another config's backups, one folder down (LOCAL_PATH=.../archive, or prefix prod/archive/);
    // one of them has the same name as a backup at the top
    String nestedSameName = backup("archive", "db-prod", 3306, "shop", T0);
    String nestedNewer = backup("archive", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(5)));
    String nestedNewest = backup("archive", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(6)));

    Pruner.Result r = prune(PROD, KEEP_2, null);

    assertThat(r.removed()).isEmpty();
    assertThat(r.kept()).extracting(e -> e.metadata().name()).containsExactly(b, a);
    for (String backup : List.of(a, b, nestedSameName, nestedNewer, nestedNewest)) {
      assertThat(exists(backup)).as(backup).isTrue();
    }
  }

  @Test
  void theBackupThisRunWrote_isKeptEvenWhenALaterStartedOneFinishedFirst() throws Exception {
    // a long backup started first; a short one started later and finished before it
    String longRun = backup("", "db-prod", 3306, "shop", T0);
    String shortRun = backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofMinutes(10)));

    Pruner.Result r = prune(PROD, KEEP_1, longRun);

    assertThat(r.removed()).isEmpty();
    assertThat(r.reasons().get(longRun)).containsExactly("written by this run");
    assertThat(exists(longRun)).isTrue();
    assertThat(exists(shortRun)).isTrue();

    // a later prune (no run of its own) applies the rules as written
    Pruner.Result later = prune(PROD, KEEP_1, null);
    assertThat(later.removed()).extracting(e -> e.metadata().name()).containsExactly(longRun);
    assertThat(exists(shortRun)).isTrue();
  }

  @Test
  void backupsOfAnotherSelectionOfTheSameDatabase_areNeitherCountedNorDeleted() throws Exception {
    String fullOld = backup("", "db-prod", 3306, "shop", T0);
    String full = backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));
    // hourly backups of one table, and a schema-only one, all newer than the full ones
    String orders1 =
        backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(2)), DEFAULT_LIST, ORDERS);
    String orders2 =
        backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(3)), DEFAULT_LIST, ORDERS);
    String schema =
        backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(4)), List.of("tables"), null);

    Pruner.Result fulls = prune(PROD, KEEP_1, null);
    assertThat(fulls.removed()).extracting(e -> e.metadata().name()).containsExactly(fullOld);
    assertThat(exists(full)).isTrue();

    Pruner.Pool ordersPool =
        new Pruner.Pool("db-prod", 3306, "shop", DEFAULT_FEATURES, Set.copyOf(ORDERS));
    Pruner.Result hourly = prune(ordersPool, KEEP_1, null);
    assertThat(hourly.removed()).extracting(e -> e.metadata().name()).containsExactly(orders1);
    assertThat(exists(full)).isTrue();
    assertThat(exists(orders2)).isTrue();
    assertThat(exists(schema)).isTrue();
  }

  static final List<String> DEFAULT_LIST = List.of("data", "tables");
  static final List<String> ORDERS = List.of("orders");

  /**
   * Through the backup route against the real server: an hourly {@code tables: [orders]} backup
   * with {@code keep_last: 1} next to the nightly full backups of the same database.
   */
  @Test
  void anHourlyOneTableSchedule_keepsTheNightlyFullBackups() throws Exception {
    String db = TestServer.uniqueName("prune_sel");
    server.createDatabase(db);
    try (BackyDB backy = new BackyDB(TestServer.environment(dir, dir.resolve("logs")))) {
      server.execute(
          db,
          "CREATE TABLE orders (id INT PRIMARY KEY)",
          "CREATE TABLE customers (id INT PRIMARY KEY)",
          "INSERT INTO orders VALUES (1)",
          "INSERT INTO customers VALUES (1)");
      Map<String, Object> storage =
          Map.of("storage_type", "local", "retention", Map.of("keep_last", 1));
      var full = backy.backup(Map.of("database", server.databaseConfig(db), "storage", storage));
      Map<String, Object> ordersDb = new java.util.LinkedHashMap<>(server.databaseConfig(db));
      ordersDb.put("tables", ORDERS);
      var hourly = backy.backup(Map.of("database", ordersDb, "storage", storage));
      assertThat(hourly.metadata().tableFilter()).containsExactly("orders");
      assertThat(full.metadata().tableFilter()).isNull();

      // the hourly run's retention kept the full backup
      assertThat(Path.of(full.location())).exists();
      assertThat(dir.resolve(BackupMetadata.sidecarName(full.metadata().name()))).exists();

      // and the next full backup's retention keeps the hourly one, removing the older full
      var full2 = backy.backup(Map.of("database", server.databaseConfig(db), "storage", storage));
      assertThat(Path.of(full.location())).doesNotExist();
      assertThat(Path.of(full2.location())).exists();
      assertThat(Path.of(hourly.location())).exists();
    } finally {
      server.dropDatabase(db);
    }
  }

  /** Sidecars written before table_filter existed count as backups of every table. */
  @Test
  void aSidecarWithoutTableFilter_countsAsABackupOfEveryTable() throws Exception {
    String legacy = backup("", "db-prod", 3306, "shop", T0);
    Path sidecar = dir.resolve(legacy + BackupMetadata.SUFFIX);
    assertThat(Files.readString(sidecar)).doesNotContain("table_filter");
    String full = backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));

    Pruner.Result r = prune(PROD, KEEP_1, null);

    assertThat(r.removed()).extracting(e -> e.metadata().name()).containsExactly(legacy);
    assertThat(exists(full)).isTrue();
  }

  /**
   * A sidecar that is valid JSON but not one BackyDB wrote (no start time) neither stops retention
   * (it did: the listing's sort failed, and backups piled up) nor is deleted: it is named as a
   * problem.
   */
  @Test
  void aSidecarWithoutAStartTime_isSkippedAndKept_andRetentionStillRuns() throws Exception {
    String old = backup("", "db-prod", 3306, "shop", T0);
    String newest = backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));
    Path junk = Files.writeString(dir.resolve("junk.metadata.json"), "{\"metadata_version\": 1}");

    Pruner.Result r = prune(PROD, KEEP_1, null);

    assertThat(r.removed()).extracting(e -> e.metadata().name()).containsExactly(old);
    assertThat(r.kept()).extracting(e -> e.metadata().name()).containsExactly(newest);
    assertThat(r.problems()).singleElement().asString().contains("junk").contains("started_at");
    assertThat(exists(old)).isFalse();
    assertThat(junk).exists();
  }

  /**
   * What a multiple_files backup killed mid-way leaves: the files it committed, in its folder,
   * without a sidecar, last written at {@code lastWritten} (null: just now).
   */
  private Path incompleteFolder(String name, List<String> files, Instant lastWritten)
      throws IOException {
    LocalStorage storage = new LocalStorage(dir);
    for (String f : files) {
      try (PendingWrite w = storage.create(name + "/" + f)) {
        w.stream().write(("-- " + f + "\n").getBytes(StandardCharsets.UTF_8));
        w.commit();
      }
      if (lastWritten != null) {
        Files.setLastModifiedTime(
            dir.resolve(name + "/" + f), java.nio.file.attribute.FileTime.from(lastWritten));
      }
    }
    return dir.resolve(name);
  }

  /**
   * A folder a killed backup left without its sidecar was never removed: not listed, not counted,
   * it took disk for ever. A prune removes it once nothing has been written to it for a day, and
   * only if everything about it is BackyDB's and the pool's database's.
   */
  @Test
  void anAbandonedFolderWithoutSidecar_isRemoved_andNothingElse() throws Exception {
    String finished = backup("", "db-prod", 3306, "shop", T0);
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
    Path abandoned =
        incompleteFolder(
            BackupNaming.name("shop", T0.plusSeconds(60)),
            List.of("tables.sql", "functions.sql"),
            twoDaysAgo);
    Path abandonedToo =
        incompleteFolder(
            BackupNaming.withCounter(BackupNaming.name("shop", T0.plusSeconds(60)), 1),
            List.of("tables.sql"),
            twoDaysAgo);
    // a backup started an hour ago, or one started two days ago that is still writing its data
    Path young =
        incompleteFolder(
            BackupNaming.name("shop", T0.plusSeconds(120)),
            List.of("tables.sql"),
            Instant.now().minus(Duration.ofHours(1)));
    String runningName = BackupNaming.name("shop", T0.plusSeconds(180));
    Path running = incompleteFolder(runningName, List.of("tables.sql"), twoDaysAgo);
    PendingWrite stillWriting = new LocalStorage(dir).create(runningName + "/data.sql");
    stillWriting.stream().write(new byte[1 << 17]);
    stillWriting.stream().flush();
    // another database's, a folder holding a file BackyDB does not write, one not named by BackyDB
    Path otherDb =
        incompleteFolder(
            BackupNaming.name("shop_eu", T0.plusSeconds(60)), List.of("tables.sql"), twoDaysAgo);
    Path withForeignFile =
        incompleteFolder(
            BackupNaming.name("shop", T0.plusSeconds(240)), List.of("tables.sql"), twoDaysAgo);
    Files.writeString(withForeignFile.resolve("notes.txt"), "mine");
    Files.setLastModifiedTime(
        withForeignFile.resolve("notes.txt"), java.nio.file.attribute.FileTime.from(twoDaysAgo));
    Path notNamedByBackyDb = incompleteFolder("shop_old", List.of("tables.sql"), twoDaysAgo);
    // the temporary file of the data abandonedToo's backup was writing when it was killed, two
    // days ago (made after the clean-up every LocalStorage runs at its first write, above)
    Path killedWrite =
        abandonedToo.resolve(
            ".data.sql.m0123456789ab.4242." + java.util.UUID.randomUUID() + ".partial");
    Files.writeString(killedWrite, "INSERT");
    Files.setLastModifiedTime(killedWrite, java.nio.file.attribute.FileTime.from(twoDaysAgo));

    try {
      Pruner.Result dry = new Pruner(new LocalStorage(dir)).prune(KEEP_1, PROD, null, true);
      assertThat(dry.incomplete())
          .extracting(IncompleteBackups.Leftover::location)
          .containsExactlyInAnyOrder(abandoned.toString(), abandonedToo.toString());
      assertThat(dry.incomplete())
          .filteredOn(f -> f.location().equals(abandoned.toString()))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.files())
                      .containsExactly(
                          abandoned.getFileName() + "/functions.sql",
                          abandoned.getFileName() + "/tables.sql"));
      assertThat(abandoned.resolve("tables.sql")).exists();

      Pruner.Result r = prune(PROD, KEEP_1, null);

      assertThat(r.incomplete()).hasSize(2);
      assertThat(abandoned).doesNotExist();
      assertThat(abandonedToo).doesNotExist();
      assertThat(exists(finished)).isTrue();
      assertThat(young.resolve("tables.sql")).exists();
      assertThat(running.resolve("tables.sql")).exists();
      assertThat(otherDb.resolve("tables.sql")).exists();
      assertThat(withForeignFile.resolve("tables.sql")).exists();
      assertThat(withForeignFile.resolve("notes.txt")).exists();
      assertThat(notNamedByBackyDb.resolve("tables.sql")).exists();
    } finally {
      stillWriting.abort();
    }
  }

  /** A single-file backup's file without its sidecar, last written at {@code at}. */
  private Path withoutSidecar(String file, Instant at) throws IOException {
    Path f = dir.resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(f, "-- a backup whose sidecar was never written\n");
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(at));
    return f;
  }

  /**
   * A single-file backup whose sidecar was never written (its upload cut off, the process killed
   * right after the data was committed) was kept for ever, unlisted and uncounted. It holds all its
   * data, so a prune removes it only once it is abandoned (nothing written to it for a day) and a
   * finished backup of the pool started after it was written: never a file whose sidecar is being
   * written right now, nor the newest copy of the database there is.
   */
  @Test
  void aSingleFileBackupWithoutSidecar_isRemovedOnceADayOldAndSuperseded() throws Exception {
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
    backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));
    Path abandoned =
        withoutSidecar(BackupNaming.name("shop", T0) + ".sql", T0.plus(Duration.ofMinutes(10)));
    Path abandonedBacky =
        withoutSidecar(BackupNaming.name("shop", T0.plusSeconds(120)) + ".backy", twoDaysAgo);
    // its data committed a moment ago, its sidecar being written now
    Path committingNow =
        withoutSidecar(BackupNaming.name("shop", T0.plusSeconds(180)) + ".backy", Instant.now());
    Path otherDb = withoutSidecar(BackupNaming.name("shop_eu", T0) + ".sql", T0);
    Path notNamedByBackyDb = withoutSidecar("shop_latest.sql", T0);
    Path inSubFolder =
        withoutSidecar("archive/" + BackupNaming.name("shop", T0) + ".sql", T0.plusSeconds(1));

    // the newest finished backup started before the abandoned .backy was written: it is kept
    Pruner.Result notYet = prune(PROD, KEEP_1, null);
    assertThat(notYet.incomplete())
        .extracting(IncompleteBackups.Leftover::location)
        .containsExactly(abandoned.toString());
    assertThat(abandoned).doesNotExist();
    assertThat(abandonedBacky).exists();

    String newer = backup("", "db-prod", 3306, "shop", Instant.now().minus(Duration.ofHours(1)));
    assertThat(new IncompleteBackups(new LocalStorage(dir)).list())
        .extracting(IncompleteBackups.Leftover::name)
        .containsExactly(
            abandonedBacky.getFileName().toString().replace(".backy", ""),
            committingNow.getFileName().toString().replace(".backy", ""),
            otherDb.getFileName().toString().replace(".sql", ""));
    Pruner.Result dry = new Pruner(new LocalStorage(dir)).prune(KEEP_1, PROD, null, true);
    assertThat(dry.incomplete())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.location()).isEqualTo(abandonedBacky.toString());
              assertThat(f.files()).containsExactly(abandonedBacky.getFileName().toString());
              assertThat(f.folder()).isFalse();
            });
    assertThat(abandonedBacky).exists();

    Pruner.Result r = prune(PROD, KEEP_1, null);
    assertThat(r.incomplete()).hasSize(1);
    assertThat(abandonedBacky).doesNotExist();
    assertThat(exists(newer)).isTrue();
    for (Path kept : List.of(committingNow, otherDb, notNamedByBackyDb, inSubFolder)) {
      assertThat(kept).as(kept.toString()).exists();
    }
  }

  /**
   * {@code shop eu} and {@code shop_eu} both name their backups {@code shop_eu_...}: a single file
   * of one, abandoned, was removed by the other's prune once that other had a newer finished
   * backup, though it could be the newest copy of its own database there is. Such a file is kept
   * (and listed); an abandoned folder, which is no backup, is still removed.
   */
  @Test
  void aSingleFileWhoseNameAnotherDatabaseAlsoGives_isKept() throws Exception {
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
    Pruner.Pool withSpace = new Pruner.Pool("db-prod", 3306, "shop eu", DEFAULT_FEATURES, Set.of());
    Pruner.Pool withUnderscore =
        new Pruner.Pool("db-prod", 3306, "shop_eu", DEFAULT_FEATURES, Set.of());
    Path file = withoutSidecar(BackupNaming.name("shop_eu", T0) + ".sql", T0);
    Path folder =
        incompleteFolder(
            BackupNaming.name("shop_eu", T0.plusSeconds(60)), List.of("tables.sql"), twoDaysAgo);
    backup("", "db-prod", 3306, "shop eu", Instant.now().minus(Duration.ofHours(1)));

    Pruner.Result r = prune(withSpace, KEEP_1, null);
    assertThat(r.incomplete())
        .extracting(IncompleteBackups.Leftover::location)
        .containsExactly(folder.toString());
    assertThat(file).exists();

    // the other way round: a finished backup of shop_eu does not make the file an older copy
    // either, since the storage holds backups of shop eu
    backup("", "db-prod", 3306, "shop_eu", Instant.now().minus(Duration.ofMinutes(30)));
    assertThat(prune(withUnderscore, KEEP_1, null).incomplete()).isEmpty();
    assertThat(file).exists();
  }

  /**
   * {@code keys rotate} replaces a sidecar by deleting it and writing it again from a copy under
   * {@code NAME.metadata.json.replacing}; cut off in between, the backup's sidecar is only that
   * copy until the next rotation finishes the replacement. Its file is a complete backup's, never a
   * leftover, however old and whatever backups are newer.
   */
  @Test
  void aBackupWhoseSidecarIsBeingReplacedByAKeyRotation_isNotALeftover() throws Exception {
    String name = BackupNaming.name("shop", T0);
    Path file = withoutSidecar(name + ".backy", T0.plusSeconds(60));
    Files.writeString(
        dir.resolve(BackupMetadata.sidecarName(name) + ObjectReplacer.SUFFIX), "{\"name\": 1}");
    backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));

    assertThat(new IncompleteBackups(new LocalStorage(dir)).list()).isEmpty();
    assertThat(prune(PROD, KEEP_1, null).incomplete()).isEmpty();
    assertThat(file).exists();
  }

  /** A finished folder backup (its sidecar beside the folder) is retention's, however old. */
  @Test
  void aFinishedFolderBackup_isNotIncomplete() throws Exception {
    String name = BackupNaming.name("shop", T0);
    Path folder = incompleteFolder(name, List.of("tables.sql"), T0);
    Files.writeString(dir.resolve(BackupMetadata.sidecarName(name)), "{}");
    Files.setLastModifiedTime(
        dir.resolve(BackupMetadata.sidecarName(name)),
        java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofDays(2))));

    assertThat(new IncompleteBackups(new LocalStorage(dir)).list()).isEmpty();
    Pruner.Result r = prune(PROD, KEEP_1, null);
    assertThat(r.incomplete()).isEmpty();
    assertThat(folder.resolve("tables.sql")).exists();
  }

  /**
   * What a prune deletes is where the listing says the backup is: the top-level backup's own files,
   * never the copy of the same name in a sub-folder.
   */
  @Test
  void aPruneDeletesTheFilesItLists_notTheCopyInASubFolder() throws Exception {
    String old = backup("", "db-prod", 3306, "shop", T0);
    String copy = backup("archive", "db-prod", 3306, "shop", T0);
    backup("", "db-prod", 3306, "shop", T0.plus(Duration.ofDays(1)));

    Pruner.Result r = prune(PROD, KEEP_1, null);

    assertThat(r.removed())
        .singleElement()
        .satisfies(e -> assertThat(e.location()).isEqualTo(dir.resolve(old + ".sql").toString()));
    assertThat(exists(old)).isFalse();
    assertThat(exists(copy)).isTrue();
  }
}
