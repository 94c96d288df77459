package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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
          .noneMatch(n -> n.endsWith(LocalStorage.PARTIAL_SUFFIX));
    }
  }

  @Override
  String foreignLocation() {
    return dir.resolve("elsewhere/x.sql").toString();
  }
}
