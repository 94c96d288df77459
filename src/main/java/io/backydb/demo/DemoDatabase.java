package io.backydb.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/** The demo's sample data: a small shop with the values a naive dumper gets wrong. */
final class DemoDatabase {

  private DemoDatabase() {}

  static void create(Connection c, String db) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + db + "`");
      s.execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
      s.execute("USE `" + db + "`");
      s.execute(
          "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
              + " email VARCHAR(200) UNIQUE, note TEXT, created DATETIME(6) NOT NULL, vip BIT(1) NOT NULL DEFAULT b'0')");
      s.execute(
          "CREATE TABLE products (id INT AUTO_INCREMENT PRIMARY KEY, sku CHAR(12) NOT NULL,"
              + " title VARCHAR(200) NOT NULL, price DECIMAL(12,2) NOT NULL, weight FLOAT, ratio DOUBLE,"
              + " image BLOB, tags SET('new','sale','eco'), kind ENUM('book','music','tool'))");
      s.execute(
          "CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,"
              + " product_id INT NOT NULL, qty SMALLINT NOT NULL, ordered_at TIMESTAMP(3) NOT NULL,"
              + " comment VARCHAR(500), FOREIGN KEY (customer_id) REFERENCES customers(id),"
              + " FOREIGN KEY (product_id) REFERENCES products(id))");
    }
    String[] names = {
      "Ada",
      "O'Brien",
      "Zoë \uD83D\uDE00",
      "back\\slash",
      "semi;colon",
      "quote\"d",
      "new\nline",
      "tab\there"
    };
    Random rnd = new Random(42);
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO customers (name, email, note, created, vip) VALUES (?,?,?,?,?)")) {
      for (int i = 0; i < 200; i++) {
        p.setString(1, names[i % names.length] + " " + i);
        p.setString(2, i % 17 == 0 ? null : "user" + i + "@example.com");
        p.setString(3, i % 5 == 0 ? null : "-- not a comment; /* nor this */ 'x' \u0000 end " + i);
        p.setString(
            4,
            "2026-01-"
                + String.format("%02d", 1 + i % 28)
                + " 10:11:12."
                + String.format("%06d", i * 997 % 1000000));
        p.setBoolean(5, i % 3 == 0);
        p.addBatch();
      }
      p.executeBatch();
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO products (sku, title, price, weight, ratio, image, tags, kind) VALUES (?,?,?,?,?,?,?,?)")) {
      for (int i = 0; i < 100; i++) {
        byte[] img = new byte[64 + i];
        rnd.nextBytes(img);
        p.setString(1, String.format("SKU-%08d", i));
        p.setString(2, "Product " + i + (i % 10 == 0 ? " \u2014 \u00e9dition sp\u00e9ciale" : ""));
        p.setBigDecimal(3, new java.math.BigDecimal(i * 3 + ".99"));
        p.setFloat(4, 1.2345678f * i);
        p.setDouble(5, Math.PI / (i + 1));
        p.setBytes(6, i % 7 == 0 ? null : img);
        p.setString(7, i % 2 == 0 ? "new,sale" : "eco");
        p.setString(8, new String[] {"book", "music", "tool"}[i % 3]);
        p.addBatch();
      }
      p.executeBatch();
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO orders (customer_id, product_id, qty, ordered_at, comment) VALUES (?,?,?,?,?)")) {
      for (int i = 0; i < 1000; i++) {
        p.setInt(1, 1 + rnd.nextInt(200));
        p.setInt(2, 1 + rnd.nextInt(100));
        p.setInt(3, 1 + rnd.nextInt(9));
        p.setString(4, "2026-03-04 05:06:07." + String.format("%03d", i % 1000));
        p.setString(5, i % 4 == 0 ? null : "order #" + i + " \u2705");
        p.addBatch();
      }
      p.executeBatch();
    }
  }
}
