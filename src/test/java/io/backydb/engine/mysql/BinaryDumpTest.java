package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.Features;
import io.backydb.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dump format 2: binary values as {@code _binary'...'} with their raw bytes, and a restore that
 * passes the dump to the server byte for byte, names outside ASCII included.
 */
class BinaryDumpTest {

  private String db;
  private String copy;

  @BeforeEach
  void create() throws SQLException {
    String suffix = TestServer.uniqueName("").substring(1);
    db = "bin_ü_" + suffix;
    copy = "bin_copy_é_" + suffix;
    server.execute(
        null, "CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    server.execute(
        db,
        "CREATE TABLE `tä☃` (id INT PRIMARY KEY, `naïve` BLOB, vb VARBINARY(300),"
            + " t VARCHAR(100), KEY `k_é` (vb(10)))",
        "CREATE VIEW `vüe` AS SELECT id, t AS `тест` FROM `tä☃`");
  }

  @AfterEach
  void drop() throws SQLException {
    server.dropDatabase(db);
    server.dropDatabase(copy);
  }

  @Test
  void everyByteValueAndEveryNameComeBackExactly() throws Exception {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    Random random = new Random(42);
    List<byte[]> blobs = new ArrayList<>();
    try (Connection c = server.connect(db);
        PreparedStatement ps = c.prepareStatement("INSERT INTO `tä☃` VALUES (?, ?, ?, ?)")) {
      for (int id = 1; id <= 200; id++) {
        byte[] b = new byte[id == 1 ? 0 : random.nextInt(5000)];
        random.nextBytes(b);
        blobs.add(b);
        ps.setInt(1, id);
        ps.setBytes(2, id == 2 ? all : b);
        ps.setBytes(3, id == 3 ? null : all);
        ps.setString(4, "ünïcödé 😀 " + id + " '\\ \n");
        ps.executeUpdate();
      }
    }
    Map<String, byte[]> files =
        EngineFixture.dump(EngineFixture.config(db, 2), "", Features.ALL, MySqlDumper.CHUNK_BYTES);
    String ascii = new String(files.get("dump.sql"), StandardCharsets.ISO_8859_1);
    assertThat(ascii).contains("-- backy:format 2").contains("_binary'");
    assertThat(ascii).as("no binary value is written as hex any more").doesNotContain(",0x");

    EngineFixture.apply(EngineFixture.config(copy, 3), files);

    assertThat(server.checksums(copy)).isEqualTo(server.checksums(db));
    for (String table : List.of("tä☃", "vüe")) {
      assertThat(showCreate(copy, table)).isEqualTo(showCreate(db, table));
    }
    try (Connection c = server.connect(copy);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, `naïve`, vb FROM `tä☃` ORDER BY id")) {
      while (rs.next()) {
        int id = rs.getInt(1);
        assertThat(rs.getBytes(2)).as("blob %d", id).isEqualTo(id == 2 ? all : blobs.get(id - 1));
        assertThat(rs.getBytes(3)).as("varbinary %d", id).isEqualTo(id == 3 ? null : all);
      }
    }
  }

  @Test
  void aDumpOfALaterFormatIsRefusedBeforeAnyStatement() throws Exception {
    String dump =
        "-- backy:format 3\n-- backy:database \"utf8mb4\" \"utf8mb4_general_ci\"\n"
            + "CREATE TABLE never (id INT);\n-- backy:complete\n";
    assertThatThrownBy(() -> EngineFixture.apply(EngineFixture.config(copy, 2), dump))
        .isInstanceOf(BackyException.class)
        .hasMessageContaining("dump format 3")
        .hasMessageContaining("newer than this BackyDB reads");
    assertThat(server.databaseExists(copy)).isFalse();
  }

  private static String showCreate(String database, String table) throws SQLException {
    try (Connection c = server.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW CREATE TABLE `" + table + "`")) {
      rs.next();
      return rs.getString(2);
    }
  }
}
