package io.backydb.encryption;

import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import io.backydb.config.Environment;
import io.backydb.keys.AwsKmsProvider;
import io.backydb.keys.FakeKmsServer;
import io.backydb.keys.FakeSecretManagerServer;
import io.backydb.keys.GcpSecretManagerProvider;
import io.backydb.testing.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A source database with distinctive strings, and encrypted backups and restores through {@link
 * BackyDB} with one of the three key providers: the local keystore, Google Secret Manager (a local
 * gRPC server) or AWS KMS (a local endpoint).
 */
final class EncryptionFixture implements AutoCloseable {

  static final TestServer server = TestServer.get();
  static final String INTEGRITY_PASSWORD = "correct horse battery staple";
  static final String KEY_PASSWORD = "keystore password 42";

  /** Appears in the source's rows, and must never appear in an encrypted backup. */
  static final String SECRET_ROW = "TOPSECRET-customer-Zebulon-Quartermaine";

  static final String SECRET_TABLE = "classified_ledger";
  static final String GCP_PROJECT = "backy-enc-test";

  enum Provider {
    LOCAL,
    GCP,
    AWS
  }

  final Path dir;
  final Provider provider;
  final String source = TestServer.uniqueName("enc_src");
  FakeSecretManagerServer gcp;
  FakeKmsServer kms;
  String kmsKeyArn;

  EncryptionFixture(Path dir, Provider provider) throws Exception {
    this.dir = dir;
    this.provider = provider;
    if (provider == Provider.GCP) {
      gcp = new FakeSecretManagerServer();
    } else if (provider == Provider.AWS) {
      kms = new FakeKmsServer();
      kmsKeyArn = kms.createKey("alias/backydb");
    }
  }

  void createSource() throws Exception {
    server.createDatabase(source);
    server.execute(
        source,
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100), note TEXT)",
        "CREATE TABLE " + SECRET_TABLE + " (id INT PRIMARY KEY, amount DECIMAL(10,2))",
        "INSERT INTO customers SELECT seq, CONCAT('"
            + SECRET_ROW
            + "-', seq),"
            + " REPEAT(MD5(seq), 10) FROM seq_1_to_2000",
        "INSERT INTO " + SECRET_TABLE + " SELECT seq, seq * 1.5 FROM seq_1_to_500");
  }

  String newTarget() {
    return TestServer.uniqueName("enc_dst");
  }

  Environment env() {
    return env(KEY_PASSWORD);
  }

  Environment env(String keyPassword) {
    return env(keyPassword, dir.resolve("keys"));
  }

  Environment env(String keyPassword, Path keystore) {
    Map<String, String> vars = new HashMap<>();
    vars.put(Environment.DB_PASSWORD, "");
    vars.put(Environment.LOCAL_PATH, dir.resolve("backups").toString());
    vars.put(Environment.LOGGING_PATH, dir.toString());
    vars.put(Environment.INTEGRITY_PASSWORD, INTEGRITY_PASSWORD);
    if (keyPassword != null) {
      vars.put(Environment.PRIVATE_KEY_PASSWORD, keyPassword);
    }
    switch (provider) {
      case LOCAL -> vars.put(Environment.LOCAL_KEY_STORE_PATH, keystore.toString());
      case GCP -> {
        vars.put(GcpSecretManagerProvider.GCP_PROJECT_ID, GCP_PROJECT);
        vars.put(GcpSecretManagerProvider.GCP_SECRET_MANAGER_ENDPOINT, gcp.endpoint());
      }
      case AWS -> {
        vars.put(AwsKmsProvider.AWS_ACCESS_KEY_ID, "AKIDEXAMPLE");
        vars.put(AwsKmsProvider.AWS_SECRET_ACCESS_KEY, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        vars.put(AwsKmsProvider.AWS_REGION, FakeKmsServer.REGION);
        vars.put(AwsKmsProvider.AWS_KMS_ENDPOINT, kms.endpoint().toString());
      }
    }
    return Environment.of(vars);
  }

  Map<String, Object> security() {
    return switch (provider) {
      case LOCAL ->
          Map.of("encryption", true, "type", "keystore", "provider", "local", "key_size", 2048);
      case GCP ->
          Map.of("encryption", true, "type", "keystore", "provider", "gcp", "key_size", 2048);
      case AWS ->
          Map.of("encryption", true, "type", "kms", "provider", "aws", "key_id", "alias/backydb");
    };
  }

  /** compression: null for none; integrity: null, "checksum" or "hmac". */
  Map<String, Object> backupConfig(String compression, String integrity) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("database", new LinkedHashMap<>(server.databaseConfig(source)));
    config.put("storage", Map.of("storage_type", "local"));
    config.put("security", security());
    if (compression != null) {
      config.put("compression", Map.of("compression", true, "compression_type", compression));
    }
    if (integrity != null) {
      config.put("integrity", Map.of("integrity_check", true, "integrity_type", integrity));
    }
    return config;
  }

  BackupResult backup(String compression, String integrity) {
    try (BackyDB backy = new BackyDB(env())) {
      return backy.backup(backupConfig(compression, integrity));
    }
  }

  /** Starts {@link #backup} on another thread: the caller holds it up (a lock on a table). */
  java.util.concurrent.CompletableFuture<BackupResult> backupInBackground(
      String compression, String integrity) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> backup(compression, integrity));
  }

  /**
   * The temporary file of the {@code .backy} a backup writes into {@code LOCAL_PATH} ({@code
   * .NAME.backy.<machine>.<pid>.<uuid>.partial}), or null.
   */
  Path backyBeingWritten() throws java.io.IOException {
    Path backups = dir.resolve("backups");
    if (!java.nio.file.Files.isDirectory(backups)) {
      return null;
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(backups)) {
      return files
          .filter(p -> p.getFileName().toString().matches("\\..*\\.backy\\..*\\.partial"))
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * Restores with {@code require_hmac: false}: these tests are about encryption, and most of their
   * backups carry no HMAC while INTEGRITY_PASSWORD is set (TamperedBackupTest tests that policy).
   */
  void restore(String location, String target, Environment env) {
    Map<String, Object> restore = server.localRestoreConfig(target, location);
    restore.put("require_hmac", false);
    try (BackyDB backy = new BackyDB(env)) {
      backy.restore(restore);
    }
  }

  @Override
  public void close() throws java.sql.SQLException {
    server.dropDatabase(source);
    if (gcp != null) {
      gcp.close();
    }
    if (kms != null) {
      kms.close();
    }
  }
}
