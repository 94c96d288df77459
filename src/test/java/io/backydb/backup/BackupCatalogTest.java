package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.storage.BackupStorage;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.PendingWrite;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
