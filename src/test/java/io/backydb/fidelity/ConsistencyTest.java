package io.backydb.fidelity;

import static io.backydb.fidelity.Fidelity.server;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.testing.MoneyTransfers;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup taken while other connections keep committing transactions that touch several tables
 * captures one point in time: money moved between accounts in two tables, each move logged in a
 * third, never appears half-done in the restored copy, although the tables are read one after the
 * other with a large table in between.
 */
class ConsistencyTest {

  static final int ACCOUNTS = 200;
  static final int FILLER_ROWS = 60_000;

  @TempDir Path dir;
  String source;
  String target;
  MoneyTransfers bank;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("cons_src");
    target = TestServer.uniqueName("cons_dst");
    bank = new MoneyTransfers(source, ACCOUNTS, FILLER_ROWS);
    bank.create(false);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aBackupUnderConcurrentMultiTableTransactionsIsOnePointInTime() throws Exception {
    MoneyTransfers.Window<BackupResult> backup;
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      backup =
          bank.during(
              () ->
                  backy.backup(
                      Map.of(
                          "database",
                          server.databaseConfig(source),
                          "storage",
                          Map.of("storage_type", "local"))));
    }
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      backy.restore(Fidelity.restoreConfig(target, backup.result().location(), Map.of()));
    }
    bank.assertOnePointInTime(target, backup);
  }
}
