package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.RetentionConfig;
import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.PendingWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
  static final Pruner.Pool PROD = new Pruner.Pool("db-prod", 3306, "shop");

  @TempDir Path dir;

  /** A finished backup of {@code db} on {@code host:port} in {@code folder} ("" = the root). */
  private String backup(String folder, String host, int port, String db, Instant startedAt)
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
            List.of("tables", "data"),
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
}
