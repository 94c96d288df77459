package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.format.BackupMetadata;
import io.backydb.format.MetadataJson;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.PendingWrite;
import io.backydb.storage.S3Storage;
import io.backydb.storage.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCatalogTest {

  @TempDir Path dir;

  /**
   * Two runs share a storage (two service nodes, or a prune beside a listing): a sidecar listed by
   * one can be deleted by the other before it is read. That backup is gone, not unreadable.
   */
  @Test
  void aSidecarRemovedBetweenListingAndReadingIsLeftOutWithoutAProblem() throws Exception {
    LocalStorage local = new LocalStorage(dir);
    put(local, "pruned.metadata.json", "{}");
    put(local, "garbage.metadata.json", "not json");
    BackupStorage prunedMeanwhile = new DeletingBeforeOpen(local, "pruned.metadata.json");

    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries = new BackupCatalog(prunedMeanwhile).list(problems);

    assertThat(entries).isEmpty();
    assertThat(problems)
        .as("only the unreadable sidecar is a problem")
        .singleElement()
        .asString()
        .contains("garbage.metadata.json");
  }

  /**
   * A sidecar that is valid JSON but lacks what a listing needs (here its start time, by which the
   * listing sorts) is an unreadable sidecar like any other: named as a problem and left out, so
   * that list and prune still work.
   */
  @Test
  void aSidecarWithoutAStartTimeIsAProblemNotAFailureOfTheListing() throws Exception {
    LocalStorage local = new LocalStorage(dir);
    String a = backup(local, "", "shop", Instant.parse("2026-01-10T03:00:00Z"));
    String b = backup(local, "", "shop", Instant.parse("2026-01-11T03:00:00Z"));
    put(local, "junk.metadata.json", "{\"metadata_version\": 1}");
    put(local, "nameless.metadata.json", "{\"started_at\": \"2026-01-12T03:00:00Z\"}");

    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries = new BackupCatalog(local).list(problems);

    assertThat(entries).extracting(e -> e.metadata().name()).containsExactly(b, a);
    assertThat(problems).hasSize(2);
    assertThat(problems)
        .filteredOn(p -> p.contains("junk.metadata.json"))
        .singleElement()
        .asString()
        .contains("started_at");
    assertThat(problems)
        .filteredOn(p -> p.contains("nameless.metadata.json"))
        .singleElement()
        .asString()
        .contains("lacks name")
        .doesNotContain("started_at");
  }

  /**
   * The file names a sidecar records are relative to the folder the backup was written to, which is
   * the sidecar's own: a copy in a sub-folder is listed where it is, not at the top level.
   */
  @Test
  void aBackupInASubFolderIsListedWhereItIs() throws Exception {
    LocalStorage local = new LocalStorage(dir);
    Instant t = Instant.parse("2026-01-10T03:00:00Z");
    String top = backup(local, "", "shop", t);
    backup(local, "archive/", "shop", t);
    backup(local, "other/", "crm", t);
    String folder = folderBackup(local, "archive/", "crm", t.plusSeconds(60));

    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries = new BackupCatalog(local).list(problems);

    assertThat(problems).isEmpty();
    assertThat(entries)
        .extracting(BackupCatalog.Entry::sidecar, BackupCatalog.Entry::location)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                top + ".metadata.json", dir.resolve(top + ".sql").toString()),
            org.assertj.core.groups.Tuple.tuple(
                "archive/" + top + ".metadata.json",
                dir.resolve("archive/" + top + ".sql").toString()),
            org.assertj.core.groups.Tuple.tuple(
                "other/" + BackupNaming.name("crm", t) + ".metadata.json",
                dir.resolve("other/" + BackupNaming.name("crm", t) + ".sql").toString()),
            org.assertj.core.groups.Tuple.tuple(
                "archive/" + folder + ".metadata.json",
                dir.resolve("archive/" + folder).toString()));
  }

  /**
   * A storage whose S3 prefix is shorter than the one a backup was written under ({@code prod/}
   * listing what a config with {@code prod/shop/} wrote) lists it at its real key.
   */
  @Test
  void aBackupUnderALongerS3PrefixIsListedAtItsKey() throws Exception {
    try (S3TestServer s3 =
            S3TestServer.start(java.nio.file.Files.createDirectories(dir.resolve("s3")), "bkt");
        var client = s3.client()) {
      Instant t = Instant.parse("2026-01-10T03:00:00Z");
      String name = backup(new S3Storage(client, "bkt", "prod/shop/", 5 << 20), "", "shop", t);
      backup(new S3Storage(client, "bkt", "prod/", 5 << 20), "", "crm", t);

      List<String> problems = new ArrayList<>();
      List<BackupCatalog.Entry> entries =
          new BackupCatalog(new S3Storage(client, "bkt", "prod/", 5 << 20)).list(problems);

      assertThat(problems).isEmpty();
      assertThat(entries)
          .extracting(BackupCatalog.Entry::location)
          .containsExactlyInAnyOrder(
              "s3://bkt/prod/shop/" + name + ".sql",
              "s3://bkt/prod/" + BackupNaming.name("crm", t) + ".sql");
    }
  }

  /** A backup as BackyDB writes it: {@code NAME.sql} and its sidecar, into {@code folder}. */
  static String backup(BackupStorage storage, String folder, String db, Instant startedAt)
      throws IOException {
    String name = BackupNaming.name(db, startedAt);
    put(storage, folder + name + ".sql", "-- " + name + "\n");
    put(
        storage,
        folder + BackupMetadata.sidecarName(name),
        new String(
            MetadataJson.write(
                metadata(
                    name,
                    db,
                    startedAt,
                    BackupMetadata.LAYOUT_SQL,
                    List.of(new BackupMetadata.StoredFile(name + ".sql", 1, "00")))),
            StandardCharsets.UTF_8));
    return name;
  }

  /** A folder backup ({@code NAME/tables.sql}, {@code NAME/data.sql}) into {@code folder}. */
  static String folderBackup(BackupStorage storage, String folder, String db, Instant startedAt)
      throws IOException {
    String name = BackupNaming.name(db, startedAt);
    List<BackupMetadata.StoredFile> files = new ArrayList<>();
    for (String f : List.of("tables.sql", "data.sql")) {
      put(storage, folder + name + "/" + f, "-- " + f + "\n");
      files.add(new BackupMetadata.StoredFile(name + "/" + f, 1, "00"));
    }
    put(
        storage,
        folder + BackupMetadata.sidecarName(name),
        new String(
            MetadataJson.write(
                metadata(name, db, startedAt, BackupMetadata.LAYOUT_SQL_FILES, files)),
            StandardCharsets.UTF_8));
    return name;
  }

  static BackupMetadata metadata(
      String name,
      String db,
      Instant startedAt,
      String layout,
      List<BackupMetadata.StoredFile> files) {
    return new BackupMetadata(
        BackupMetadata.VERSION,
        name,
        name,
        new BackupMetadata.Tool("BackyDB", "test"),
        startedAt,
        startedAt.plusSeconds(5),
        5000,
        new BackupMetadata.Source("mysql", "db", 3306, "10.11", db, "utf8mb4", "utf8mb4_bin"),
        List.of("tables", "data"),
        null,
        BackupMetadata.LAYOUT_SQL_FILES.equals(layout),
        layout,
        null,
        files,
        List.of(),
        new BackupMetadata.Compression("none", null),
        null,
        null,
        new BackupMetadata.Sizes(1, 1));
  }

  private static void put(BackupStorage storage, String name, String content) throws IOException {
    try (PendingWrite w = storage.create(name)) {
      w.stream().write(content.getBytes(StandardCharsets.UTF_8));
      w.commit();
    }
  }

  /** The real local storage, where another process deletes one object just before it is read. */
  private record DeletingBeforeOpen(LocalStorage storage, String victim) implements BackupStorage {

    @Override
    public InputStream open(String name) throws IOException {
      if (name.equals(victim)) {
        storage.delete(name);
      }
      return storage.open(name);
    }

    @Override
    public String version(String name) throws IOException {
      return storage.version(name);
    }

    @Override
    public InputStream open(String name, String version) throws IOException {
      return storage.open(name, version);
    }

    @Override
    public PendingWrite create(String name) throws IOException {
      return storage.create(name);
    }

    @Override
    public boolean exists(String name) {
      return storage.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
      return storage.size(name);
    }

    @Override
    public List<String> list(String suffix) throws IOException {
      return storage.list(suffix);
    }

    @Override
    public java.time.Instant lastWriteUnder(String folder) throws IOException {
      return storage.lastWriteUnder(folder);
    }

    @Override
    public java.time.Instant lastModified(String name) throws IOException {
      return storage.lastModified(name);
    }

    @Override
    public void delete(String name) throws IOException {
      storage.delete(name);
    }

    @Override
    public String location(String name) {
      return storage.location(name);
    }

    @Override
    public String nameOf(String location) {
      return storage.nameOf(location);
    }
  }
}
