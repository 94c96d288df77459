package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A row larger than the target's max_allowed_packet (made while the server allowed more): the
 * restore refuses it before its first statement, with a message that says what to raise — and once
 * raised, the same backup restores.
 */
class LargeRowTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;

  @Test
  void aStatementOverMaxAllowedPacketIsExplained() throws Exception {
    String source = TestServer.uniqueName("bigrow");
    String target = TestServer.uniqueName("bigrow_copy");
    long original = globalMaxPacket();
    try (BackyDB backy = new BackyDB(TestServer.environment(dir.resolve("backups"), dir))) {
      server.createDatabase(source);
      server.execute(null, "SET GLOBAL max_allowed_packet = 64 * 1024 * 1024");
      // a new connection sees the new limit
      server.execute(
          source,
          "CREATE TABLE t (id INT PRIMARY KEY, b LONGBLOB)",
          "INSERT INTO t VALUES (1, REPEAT('x', 12 * 1024 * 1024))");
      String location =
          backy
              .backup(
                  Map.of(
                      "database",
                      server.databaseConfig(source),
                      "storage",
                      Map.of("storage_type", "local")))
              .location();

      server.execute(null, "SET GLOBAL max_allowed_packet = 8 * 1024 * 1024");
      Map<String, Object> restore =
          Map.of(
              "database",
              server.databaseConfig(target),
              "backup_path",
              location,
              "storage",
              Map.of("storage_type", "local"),
              "replace_existing",
              true);
      assertThatThrownBy(() -> backy.restore(restore))
          .isInstanceOf(BackyException.class)
          .hasMessageContaining("takes (max_allowed_packet is 8388608)")
          .hasMessageContaining("SET GLOBAL max_allowed_packet")
          .hasMessageContaining("data of table `t`")
          .hasMessageEndingWith("nothing was applied");
      // refused before its first statement: the target is not even created
      assertThat(server.databaseExists(target)).isFalse();

      server.execute(null, "SET GLOBAL max_allowed_packet = 64 * 1024 * 1024");
      backy.restore(restore);
      assertThat(server.checksums(target)).isEqualTo(server.checksums(source));
    } finally {
      server.execute(null, "SET GLOBAL max_allowed_packet = " + original);
      server.dropDatabase(source);
      server.dropDatabase(target);
    }
  }

  private static long globalMaxPacket() throws Exception {
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@GLOBAL.max_allowed_packet")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
