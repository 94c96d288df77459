package io.backydb.backup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.storage.LocalStorage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A failed backup deletes what it had stored. Where that delete fails too (a server gone away, a
 * file system turned read-only), the leftover has no metadata sidecar, so no command lists or
 * restores it, and it used to take its space without a word: the log now names it.
 */
class BackupWriterRollbackTest {

  @TempDir Path dir;
  final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void listen() {
    log.start();
    ((Logger) LoggerFactory.getLogger(BackupWriter.class)).addAppender(log);
  }

  @AfterEach
  void stopListening() {
    ((Logger) LoggerFactory.getLogger(BackupWriter.class)).detachAppender(log);
  }

  @Test
  void aStoredObjectTheRollbackDeletes_leavesNothingAndNoWarning() throws Exception {
    LocalStorage storage = new LocalStorage(dir);
    BackupWriter writer = new BackupWriter(storage);
    writer.write("shop_1.sql", sql());

    writer.rollback();

    assertThat(dir.resolve("shop_1.sql")).doesNotExist();
    assertThat(log.list).isEmpty();
  }

  @Test
  void aStoredObjectTheRollbackCannotDelete_isOneWarningNamingIt() throws Exception {
    LocalStorage storage = new LocalStorage(dir);
    BackupWriter writer = new BackupWriter(storage);
    writer.write("shop_2.sql", sql());
    // where the file was, a folder that is not empty: the file system refuses the delete
    Path stored = dir.resolve("shop_2.sql");
    Files.delete(stored);
    Files.createDirectories(stored.resolve("in-the-way"));

    writer.rollback();

    assertThat(log.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .startsWith("could not delete " + stored + " of the failed backup (")
                  .endsWith("it is no backup (it has no metadata sidecar): delete it");
            });
  }

  private static ByteArrayInputStream sql() {
    return new ByteArrayInputStream("SELECT 1;\n".getBytes(StandardCharsets.UTF_8));
  }
}
