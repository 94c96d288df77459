package io.backydb.container;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A source database with a little of everything, and backup/restore calls for one mode. */
final class ContainerFixture {

  static final TestServer server = TestServer.get();
  static final String PASSWORD = "correct horse battery staple";

  final Path dir;
  final String source = TestServer.uniqueName("ct_src");
  final String target = TestServer.uniqueName("ct_dst");

  ContainerFixture(Path dir) {
    this.dir = dir;
  }

  void createSource() throws Exception {
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100), note TEXT)",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2),"
            + " FOREIGN KEY (customer_id) REFERENCES customers(id))",
        "INSERT INTO customers SELECT seq, CONCAT('customer ', seq, ' O''Reilly'),"
            + " REPEAT(MD5(seq), 20) FROM seq_1_to_3000",
        "INSERT INTO orders SELECT seq, 1 + seq % 3000, seq * 1.25 FROM seq_1_to_5000",
        "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100",
        "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total ="
            + " ABS(NEW.total)");
  }

  void dropAll() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  Environment environment(String integrityPassword) {
    return environment(integrityPassword, dir.resolve("backups"));
  }

  /** The environment, with {@code localPath} as the local storage. */
  Environment environment(String integrityPassword, Path localPath) {
    Map<String, String> vars = new HashMap<>();
    vars.put(Environment.DB_PASSWORD, "");
    vars.put(Environment.LOCAL_PATH, localPath.toString());
    vars.put(Environment.LOGGING_PATH, dir.toString());
    if (integrityPassword != null) {
      vars.put(Environment.INTEGRITY_PASSWORD, integrityPassword);
    }
    return Environment.of(vars);
  }

  /** compression: null for none; integrity: null, "checksum" or "hmac". */
  static Map<String, Object> backupConfig(
      String db, String compression, boolean multipleFiles, String integrity) {
    Map<String, Object> database = new LinkedHashMap<>(server.databaseConfig(db));
    database.put("multiple_files", multipleFiles);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("database", database);
    config.put("storage", Map.of("storage_type", "local"));
    if (compression != null) {
      config.put("compression", Map.of("compression", true, "compression_type", compression));
    }
    if (integrity != null) {
      config.put("integrity", Map.of("integrity_check", true, "integrity_type", integrity));
    }
    return config;
  }

  BackupResult backup(String compression, boolean multipleFiles, String integrity) {
    try (BackyDB backy = new BackyDB(environment(PASSWORD))) {
      return backy.backup(backupConfig(source, compression, multipleFiles, integrity));
    }
  }

  /** A restore config file of {@code backup} into the target, on local storage. */
  Path restoreYaml(Path backup) throws Exception {
    Path config = dir.resolve("restore.yaml");
    Files.writeString(
        config,
        server.databaseYaml("root", target)
            + "backup_path: '"
            + backup
            + "'\nstorage:\n  storage_type: local\n");
    return config;
  }

  void restore(String location, String integrityPassword) {
    try (BackyDB backy = new BackyDB(environment(integrityPassword))) {
      backy.restore(server.localRestoreConfig(target, location));
    }
  }
}
