package io.backydb.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedMariaDbTest {

  @Test
  @Timeout(120)
  void startsServesUtf8OverJdbcAndStops(@TempDir Path baseDir) throws Exception {
    int port;
    String host;
    long startedAt = System.nanoTime();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(baseDir)) {
      Duration startup = Duration.ofNanos(System.nanoTime() - startedAt);
      System.err.println("embedded MariaDB first start: " + startup.toMillis() + " ms");
      port = db.port();
      host = db.host();
      assertThat(host).isEqualTo("127.0.0.1");
      assertThat(port).isPositive();
      assertThat(EmbeddedMariaDb.isServerAnswering(host, port)).isTrue();

      String url =
          "jdbc:mysql://"
              + host
              + ":"
              + port
              + "/?user=root&password=&allowPublicKeyRetrieval=true&useSSL=false";
      String text = "Grüße, 世界 🐬";
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE shop CHARACTER SET utf8mb4");
        s.execute(
            "CREATE TABLE shop.note (id INT PRIMARY KEY, body VARCHAR(100)) CHARACTER SET utf8mb4");
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO shop.note VALUES (?, ?)")) {
          insert.setInt(1, 1);
          insert.setString(2, text);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        try (ResultSet rs = s.executeQuery("SELECT body FROM shop.note WHERE id = 1")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(text);
        }
        try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).contains("MariaDB");
        }
      }
    }
    assertThat(EmbeddedMariaDb.isServerAnswering(host, port)).isFalse();
    // the binaries stay for the next start, the server's data does not
    assertThat(baseDir.resolve("mariadb-10.11.5/bin/mariadbd")).exists();
    assertThat(baseDir.resolve("data/" + port)).doesNotExist();

    // a second start in the same folder reuses the unpacked binaries
    startedAt = System.nanoTime();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(baseDir)) {
      System.err.println(
          "embedded MariaDB second start: "
              + Duration.ofNanos(System.nanoTime() - startedAt).toMillis()
              + " ms");
      assertThat(EmbeddedMariaDb.isServerAnswering(db.host(), db.port())).isTrue();
    }
    assertThat(Files.exists(baseDir.resolve("mariadb-10.11.5"))).isTrue();
  }

  @Test
  void nothingAnswersOnAClosedPort() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
      assertThat(EmbeddedMariaDb.isServerAnswering("127.0.0.1", port)).isTrue();
    }
    assertThat(EmbeddedMariaDb.isServerAnswering("127.0.0.1", port)).isFalse();
  }
}
