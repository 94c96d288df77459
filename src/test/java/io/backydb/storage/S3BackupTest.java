package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyDB;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupResult;
import io.backydb.cli.BackyCli;
import io.backydb.config.Environment;
import io.backydb.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backups of a real MariaDB database into S3 (an embedded s3proxy) through the Java API and the
 * CLI: round trips, listing, verify by {@code s3://} location, a multi-part upload, a server that
 * stops mid-upload, and retention.
 */
class S3BackupTest {

  static final TestServer db = TestServer.get();

  @TempDir static Path s3dir;
  static S3TestServer s3;
  static S3Client client;

  @TempDir Path dir;
  String source;
  String target;
  String prefix;
  Map<String, String> vars;
  BackyDB backy;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3TestServer.start(s3dir, "backy-backups");
    client = s3.client();
  }

  @AfterAll
  static void stopS3() throws Exception {
    client.close();
    s3.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("s3_src");
    target = TestServer.uniqueName("s3_dst");
    db.createDatabase(source);
    prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    vars =
        s3.environment(
            Map.of(
                Environment.DB_PASSWORD,
                "",
                Environment.LOGGING_PATH,
                dir.toString(),
                Environment.LOCAL_PATH,
                dir.resolve("local").toString(),
                Environment.INTEGRITY_PASSWORD,
                "s3 test integrity password"));
    backy = new BackyDB(Environment.of(vars));
  }

  @AfterEach
  void tearDown() throws Exception {
    backy.close();
    db.dropDatabase(source);
    db.dropDatabase(target);
  }

  Map<String, Object> storage(String type, Map<String, Object> extra) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("storage_type", type);
    if (!type.equals("local")) {
      s.put("prefix", prefix);
      s.put("part_size_mb", 5);
    }
    s.putAll(extra);
    return s;
  }

  Map<String, Object> backupConfig(
      String database, Map<String, Object> storage, Map<String, Object> mode) {
    Map<String, Object> dbc = new LinkedHashMap<>(db.databaseConfig(database));
    Map<String, Object> c = new LinkedHashMap<>(mode);
    c.remove("database");
    if (mode.containsKey("database")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> more = (Map<String, Object>) mode.get("database");
      dbc.putAll(more);
    }
    c.put("database", dbc);
    c.put("storage", storage);
    return c;
  }

  Path writeConfig(Map<String, Object> config) throws Exception {
    Path f = Files.createTempFile(dir, "config", ".json");
    new ObjectMapper().writeValue(f.toFile(), config);
    return f;
  }

  /** Runs the CLI; returns exit code, stdout and stderr. */
  record Cli(int exit, String out, String err) {}

  Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        BackyCli.execute(
            Environment.of(vars), new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(exit, out.toString(), err.toString());
  }

  /** The backup modes a round trip goes through. */
  static Stream<Arguments> modes() {
    return Stream.of(
        Arguments.of("raw .sql", Map.of()),
        Arguments.of("one .sql per feature", Map.of("database", Map.of("multiple_files", true))),
        Arguments.of(
            "zstd + hmac",
            Map.of(
                "compression", Map.of("compression", true, "compression_type", "zstd"),
                "integrity", Map.of("integrity_check", true, "integrity_type", "hmac"))),
        Arguments.of(
            "zip, one file per feature",
            Map.of(
                "database", Map.of("multiple_files", true),
                "compression", Map.of("compression", true, "compression_type", "zip"))),
        Arguments.of(
            "tar + checksum",
            Map.of(
                "compression", Map.of("compression", true, "compression_type", "tar"),
                "integrity", Map.of("integrity_check", true, "integrity_type", "checksum"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void roundTrip_throughS3_withListAndVerify(String mode, Map<String, Object> extras)
      throws Exception {
    db.execute(
        source,
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100), b BLOB)",
        "INSERT INTO t VALUES (1, 'O''Reilly', X'00FF27'), (2, 'émoji \uD83D\uDE00', NULL)",
        "CREATE VIEW v AS SELECT id FROM t");
    Map<String, Object> config = backupConfig(source, storage("aws", Map.of()), extras);

    BackupResult b = backy.backup(config);

    assertThat(b.location()).startsWith("s3://backy-backups/" + prefix + source + "_");
    Cli list = cli("list", "--config", writeConfig(config).toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .startsWith("Backups in " + b.location().substring(0, b.location().lastIndexOf('/')))
        .contains(listed(b.location()));

    // INTEGRITY_PASSWORD is set: a backup without an HMAC is checked by its checksum only if asked
    boolean hmac = mode.contains("hmac");
    Cli verify = cli("verify", hmac ? "--require-hmac" : "--no-require-hmac", b.location());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).startsWith("OK ");

    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("database", db.databaseConfig(target));
    restore.put("backup_path", b.location());
    restore.put("storage", Map.of("storage_type", "s3", "prefix", prefix));
    restore.put("require_hmac", hmac);
    backy.restore(restore);
    assertThat(db.checksums(target)).isEqualTo(db.checksums(source)).isNotEmpty();
  }

  @Test
  void verify_takesTheBucketFromTheLocation_withoutAwsS3BucketName() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    BackupResult b = backy.backup(backupConfig(source, storage("aws", Map.of()), Map.of()));
    vars = new java.util.HashMap<>(vars);
    // a restore host that only verifies: no bucket variable, or one naming another bucket
    vars.remove(Environment.AWS_S3_BUCKET_NAME);
    // a backup without an HMAC, checked while INTEGRITY_PASSWORD is set
    vars.remove(Environment.INTEGRITY_PASSWORD);
    Cli verify = cli("verify", b.location());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).startsWith("OK " + b.location());
    vars.put(Environment.AWS_S3_BUCKET_NAME, "some-other-bucket");
    verify = cli("verify", b.location());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();

    // verify has no backup_path: its error names the backup as it was given
    Cli missing = cli("verify", b.location().replaceAll("(\\.[a-z]+)$", "-gone$1"));
    assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(2);
    assertThat(missing.err())
        .startsWith("backy: error: backup s3://")
        .contains("-gone.")
        .contains(" does not exist")
        .doesNotContain("backup_path");

    vars.put(Environment.AWS_S3_PATH_STYLE, "maybe");
    verify = cli("verify", b.location());
    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err())
        .isEqualTo(
            "backy: error: environment variable AWS_S3_PATH_STYLE must be true or false (got"
                + " 'maybe')\n");
  }

  /**
   * A prefix may hold what an S3 key may: spaces, '#', non-ASCII letters. The location backup
   * prints is what verify takes (it refused it as "not an S3 location": java.net.URI takes no
   * space), and what a restore's backup_path takes.
   */
  @Test
  void verify_andRestore_takeThePrintedLocation_ofAPrefixWithSpacesAndUnicode() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    prefix = prefix + "nightly backups/caf\u00e9 #1/";
    BackupResult b = backy.backup(backupConfig(source, storage("aws", Map.of()), Map.of()));
    assertThat(b.location()).startsWith("s3://backy-backups/" + prefix);

    Cli verify = cli("verify", "--no-require-hmac", b.location());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).startsWith("OK " + b.location() + ":");

    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("database", db.databaseConfig(target));
    restore.put("backup_path", b.location());
    restore.put("storage", storage("aws", Map.of()));
    restore.put("require_hmac", false);
    Cli restored = cli("restore", "--config", writeConfig(restore).toString());
    assertThat(restored.exit()).as(restored.out() + restored.err()).isZero();
    assertThat(db.checksums(target)).isEqualTo(db.checksums(source));
  }

  /**
   * A bucket name that no S3 server takes (a space, '/') is refused before anything is dumped, in
   * one line naming the variable, instead of "The specified bucket does not exist" once the dump
   * was uploaded, or a location that reads as another bucket's key ({@code s3://backups/prod/...}
   * for bucket {@code backups/prod}).
   */
  @Test
  void aBucketNameWithCharactersNoBucketHas_isAConfigError_beforeTheDump() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)");
    Path config = writeConfig(backupConfig(source, storage("aws", Map.of()), Map.of()));
    vars = new java.util.HashMap<>(vars);
    vars.put(Environment.AWS_S3_BUCKET_NAME, "Backy Backups!");
    Cli backup = cli("backup", "--config", config.toString());
    assertThat(backup.exit()).as(backup.out() + backup.err()).isEqualTo(2);
    assertThat(backup.err())
        .isEqualTo(
            "backy: error: environment variable AWS_S3_BUCKET_NAME ('Backy Backups!') is not a"
                + " bucket name: it holds ' ', and a bucket name only letters, digits, '.' and '-'"
                + " (and '_' in old buckets)\n");
    vars.put(Environment.AWS_S3_BUCKET_NAME, s3.bucket() + "/" + prefix);
    Cli list = cli("list", "--config", config.toString());
    assertThat(list.exit()).isEqualTo(2);
    assertThat(list.err()).contains("AWS_S3_BUCKET_NAME").contains("it holds '/'");
    vars.put(Environment.AWS_S3_BUCKET_NAME, "ab");
    assertThat(cli("list", "--config", config.toString()).err())
        .contains("it has 2 characters, a bucket name 3 to 63 (old AWS buckets up to 255)");

    Cli verify = cli("verify", "s3://no bucket/x.sql");
    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err())
        .isEqualTo(
            "backy: error: 's3://no bucket/x.sql' names bucket 'no bucket', which is not a bucket"
                + " name: it holds ' ', and a bucket name only letters, digits, '.' and '-' (and"
                + " '_' in old buckets)\n");
  }

  /**
   * A restore's storage is AWS_S3_BUCKET_NAME and storage.prefix, its backup_path an s3:// location
   * of its own: where they disagree, the error names the storage the location is not in, and where
   * each half of it comes from (it said only "is not inside the configured storage").
   */
  @Test
  void aBackupPathOutsideTheConfiguredBucketOrPrefix_namesTheConfiguredStorage() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    BackupResult b = backy.backup(backupConfig(source, storage("aws", Map.of()), Map.of()));
    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("database", db.databaseConfig(target));
    restore.put("backup_path", b.location());
    restore.put("storage", Map.of("storage_type", "aws", "prefix", "elsewhere/"));
    Cli otherPrefix = cli("restore", "--config", writeConfig(restore).toString());
    assertThat(otherPrefix.exit()).as(otherPrefix.out() + otherPrefix.err()).isEqualTo(2);
    assertThat(otherPrefix.err())
        .isEqualTo(
            "backy: error: backup_path "
                + b.location()
                + " is not inside the configured storage s3://backy-backups/elsewhere/ (its bucket"
                + " is AWS_S3_BUCKET_NAME, its prefix the config's storage.prefix)\n");

    restore.put("storage", storage("aws", Map.of()));
    vars = new java.util.HashMap<>(vars);
    vars.put(Environment.AWS_S3_BUCKET_NAME, "another-bucket");
    Cli otherBucket = cli("restore", "--config", writeConfig(restore).toString());
    assertThat(otherBucket.exit()).isEqualTo(2);
    assertThat(otherBucket.err())
        .contains(" is not inside the configured storage s3://another-bucket/" + prefix + " (");
    assertThat(db.databaseExists(target)).isFalse();
  }

  /**
   * The commonest set-up mistakes are named in the operator's terms, in one line that never holds a
   * secret: a backup's first request is a HEAD, whose 403 has no body, and read "Forbidden
   * (Service: S3, Status Code: 403, ...)" for a wrong secret as for a wrong key id.
   */
  @Test
  void wrongCredentials_andAMissingBucket_areNamedInOneLine() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    Path config = writeConfig(backupConfig(source, storage("aws", Map.of()), Map.of()));
    String wrongSecret = "wrong-secret-0123456789abcdef";
    vars = new java.util.HashMap<>(vars);
    vars.put(Environment.AWS_S3_SECRET_ACCESS_KEY, wrongSecret);
    for (String command : new String[] {"backup", "list"}) {
      Cli c = cli(command, "--config", config.toString());
      assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(1);
      assertThat(c.err())
          .startsWith("backy: error: S3 error ")
          .contains(
              ": AWS_S3_SECRET_ACCESS_KEY is not the secret key of AWS_S3_ACCESS_KEY_ID (the"
                  + " request's signature does not match) [")
          .doesNotContain(wrongSecret)
          .doesNotContain(S3TestServer.SECRET_KEY)
          .hasLineCount(1);
    }
    Cli verify = cli("verify", "s3://" + s3.bucket() + "/" + prefix + "x.backy");
    assertThat(verify.err()).contains(": AWS_S3_SECRET_ACCESS_KEY is not the secret key of");

    vars.put(Environment.AWS_S3_SECRET_ACCESS_KEY, S3TestServer.SECRET_KEY);
    vars.put(Environment.AWS_S3_ACCESS_KEY_ID, "nobody-knows-me");
    Cli unknownId = cli("backup", "--config", config.toString());
    assertThat(unknownId.exit()).isEqualTo(1);
    assertThat(unknownId.err())
        .contains(": the server does not know the access key id in AWS_S3_ACCESS_KEY_ID [")
        .hasLineCount(1);

    vars.put(Environment.AWS_S3_ACCESS_KEY_ID, S3TestServer.ACCESS_KEY);
    vars.put(Environment.AWS_S3_BUCKET_NAME, "no-such-bucket");
    for (String command : new String[] {"backup", "list"}) {
      Cli c = cli(command, "--config", config.toString());
      assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(1);
      assertThat(c.err())
          .startsWith("backy: error: S3 error ")
          .contains(" s3://no-such-bucket/" + prefix)
          .contains(": bucket 'no-such-bucket' does not exist [")
          .hasLineCount(1);
    }
  }

  /**
   * A missing bucket, or credentials the server refuses, fail the backup before the database is
   * touched: the config's database is on a port nothing listens on, so an error about the bucket
   * (instead of the refused connection) shows that no dump was started. They were found when the
   * dump was uploaded, after the whole dump of a small database.
   */
  @Test
  void aMissingBucket_orWrongCredentials_failTheBackupBeforeTheDatabaseIsTouched()
      throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path config =
        writeConfig(
            backupConfig(
                source, storage("aws", Map.of()), Map.of("database", Map.of("port", closedPort))));
    vars = new java.util.HashMap<>(vars);
    vars.put(Environment.AWS_S3_BUCKET_NAME, "no-such-bucket");

    Cli missing = cli("backup", "--config", config.toString());
    assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(1);
    assertThat(missing.err())
        .startsWith("backy: error: S3 error checking s3://no-such-bucket/" + prefix + ": ")
        .contains(": bucket 'no-such-bucket' does not exist [")
        .hasLineCount(1);
    assertThat(missing.out()).isEmpty();
    assertThat(s3.blobStore().containerExists("no-such-bucket")).isFalse();

    vars.put(Environment.AWS_S3_BUCKET_NAME, s3.bucket());
    vars.put(Environment.AWS_S3_SECRET_ACCESS_KEY, "wrong-secret-0123456789abcdef");
    Cli wrongSecret = cli("backup", "--config", config.toString());
    assertThat(wrongSecret.exit()).isEqualTo(1);
    assertThat(wrongSecret.err())
        .contains(": AWS_S3_SECRET_ACCESS_KEY is not the secret key of AWS_S3_ACCESS_KEY_ID")
        .hasLineCount(1);
    assertThat(client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix)).contents())
        .isEmpty();
    assertThat(client.listMultipartUploads(l -> l.bucket(s3.bucket())).uploads()).isEmpty();

    // the check lets a good destination through: the database's refused connection is the error
    vars.put(Environment.AWS_S3_SECRET_ACCESS_KEY, S3TestServer.SECRET_KEY);
    Cli noDatabase = cli("backup", "--config", config.toString());
    assertThat(noDatabase.exit()).isNotZero();
    assertThat(noDatabase.err()).doesNotContain("S3 error").contains(":" + closedPort);
  }

  /**
   * One file of a folder backup, given to verify by its {@code s3://} key, is refused as restore
   * refuses it (verify said it was intact: the folder's sidecar beside the folder was outside the
   * prefix it looked under).
   */
  @Test
  void verify_refusesOneFileOfAFolderBackup_asRestoreDoes() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    BackupResult b =
        backy.backup(
            backupConfig(
                source,
                storage("aws", Map.of()),
                Map.of("database", Map.of("multiple_files", true))));
    String data = b.location() + "/data.sql";

    Cli verify = cli("verify", data);
    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(2);
    assertThat(verify.out()).doesNotContain("OK");
    assertThat(verify.err().strip())
        .isEqualTo(
            "backy: error: backup "
                + data
                + " is one file of the folder backup "
                + b.location()
                + " ("
                + b.location()
                + ".metadata.json says so), not a backup by itself: give the folder instead");

    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("database", db.databaseConfig(target));
    restore.put("backup_path", data);
    restore.put("storage", storage("aws", Map.of()));
    Cli refused = cli("restore", "--config", writeConfig(restore).toString());
    assertThat(refused.exit()).isEqualTo(verify.exit());
    assertThat(refused.err().strip())
        .isEqualTo(verify.err().strip().replace("error: backup ", "error: backup_path "));

    Cli folder = cli("verify", "--no-require-hmac", b.location());
    assertThat(folder.exit()).as(folder.out() + folder.err()).isZero();
  }

  /** About {@code mb} MiB of table data in {@code a_big}. */
  void createBigTable(int mb) throws Exception {
    db.execute(
        source,
        "CREATE TABLE a_big (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(1100))",
        "INSERT INTO a_big (v) VALUES (REPEAT(MD5(RAND()), 32))");
    for (int rows = 1; rows < mb * 1024; rows *= 2) {
      db.execute(source, "INSERT INTO a_big (v) SELECT CONCAT(id, v) FROM a_big");
    }
  }

  @Test
  void aBackupOfSeveralParts_isRestoredIdentically() throws Exception {
    createBigTable(16);
    BackupResult b = backy.backup(backupConfig(source, storage("aws", Map.of()), Map.of()));

    String key = b.location().substring("s3://backy-backups/".length());
    long size = client.headObject(h -> h.bucket(s3.bucket()).key(key)).contentLength();
    assertThat(size).isGreaterThan(3L * (5 << 20));
    assertThat(b.metadata().sizes().storedBytes()).isEqualTo(size);

    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("database", db.databaseConfig(target));
    restore.put("backup_path", b.location());
    restore.put("storage", storage("aws", Map.of()));
    restore.put("require_hmac", false); // a backup without integrity
    backy.restore(restore);
    assertThat(db.checksums(target)).isEqualTo(db.checksums(source));
  }

  @Test
  void aServerThatStopsMidUpload_failsTheBackupWithOneLine_andNothingIsListed() throws Exception {
    createBigTable(12); // table a_big: several 5 MiB parts
    db.execute(source, "CREATE TABLE z_gate (id INT PRIMARY KEY)", "INSERT INTO z_gate VALUES (1)");
    Map<String, Object> config = backupConfig(source, storage("aws", Map.of()), Map.of());
    CompletableFuture<BackupResult> running;
    // the dump reads a_big, then waits for z_gate's data until the lock goes: the upload is
    // certainly mid-way when the server stops
    try (java.sql.Connection gate = db.connect(source);
        java.sql.Statement st = gate.createStatement()) {
      st.execute("LOCK TABLES z_gate WRITE");
      running = CompletableFuture.supplyAsync(() -> backy.backup(config));
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> running.isDone() || uploadedParts() >= 2);
      assertThat(running).as("the backup waits for z_gate").isNotDone();
      s3.stop();
      st.execute("UNLOCK TABLES");
    }
    try {
      Throwable failure = org.assertj.core.api.Assertions.catchThrowable(running::join);
      assertThat(failure).isInstanceOf(CompletionException.class);
      BackyException e = BackyException.find(failure);
      assertThat(e).isNotNull();
      assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
      assertThat(e.getMessage())
          .startsWith("S3 error uploading s3://backy-backups/" + prefix)
          .doesNotContain("\n")
          .doesNotContain(S3TestServer.SECRET_KEY);
    } finally {
      s3.restart();
    }

    Cli list = cli("list", "--config", writeConfig(config).toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .startsWith("No backups in s3://backy-backups/" + prefix.replaceAll("/$", ""));
    assertThat(client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix)).contents())
        .as("no complete object under the prefix")
        .isEmpty();
  }

  /**
   * Backups uploading in parts are being written: an encrypted {@code .backy} (which took its key
   * when it started) and a {@code multiple_files} folder whose first file is committed. S3 storage
   * named none, so {@code list} took the folder for a stopped backup's, {@code keys rotate} did not
   * warn, and {@code keys retire} deleted the key the running backup ends wrapped by.
   */
  @Test
  void backupsUploadingInParts_areSeenByListRotateAndRetire() throws Exception {
    createBigTable(12); // table a_big: several 5 MiB parts
    db.execute(source, "CREATE TABLE z_gate (id INT PRIMARY KEY)", "INSERT INTO z_gate VALUES (1)");
    Map<String, String> withKeys = new java.util.HashMap<>(vars);
    withKeys.put(Environment.LOCAL_KEY_STORE_PATH, dir.resolve("keys").toString());
    withKeys.put(Environment.PRIVATE_KEY_PASSWORD, "s3 test key password");
    vars = withKeys; // for cli()
    Map<String, Object> sealed =
        backupConfig(
            source,
            storage("aws", Map.of()),
            Map.of(
                "security",
                Map.of(
                    "encryption",
                    true,
                    "type",
                    "keystore",
                    "provider",
                    "local",
                    "key_size",
                    2048)));
    Map<String, Object> folder =
        backupConfig(
            source, storage("aws", Map.of()), Map.of("database", Map.of("multiple_files", true)));
    String sealedConfig = writeConfig(sealed).toString();
    String folderConfig = writeConfig(folder).toString();
    Cli generate = cli("keys", "generate", "--config", sealedConfig);
    assertThat(generate.exit()).as(generate.err()).isZero();
    String taken = generate.out().strip().lines().reduce((a, b) -> b).orElseThrow();

    CompletableFuture<BackupResult> sealedRun;
    CompletableFuture<BackupResult> folderRun;
    String sealedName;
    try (BackyDB keyed = new BackyDB(Environment.of(vars));
        java.sql.Connection gate = db.connect(source);
        java.sql.Statement st = gate.createStatement()) {
      // both dump a_big, then wait for z_gate's data until the lock goes
      st.execute("LOCK TABLES z_gate WRITE");
      sealedRun = CompletableFuture.supplyAsync(() -> keyed.backup(sealed));
      folderRun = CompletableFuture.supplyAsync(() -> keyed.backup(folder));
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> sealedRun.isDone() || folderRun.isDone() || bothUploading());
      assertThat(sealedRun).as("the backup waits for z_gate").isNotDone();
      assertThat(folderRun).as("the backup waits for z_gate").isNotDone();
      sealedName =
          uploadsWithParts().stream()
              .filter(k -> k.endsWith(".backy"))
              .findFirst()
              .orElseThrow()
              .substring(prefix.length());
      String folderName =
          uploadsWithParts().stream()
              .filter(k -> k.endsWith("/data.sql"))
              .findFirst()
              .orElseThrow()
              .substring(prefix.length())
              .replaceFirst("data\\.sql$", "");

      Cli list = cli("list", "--config", folderConfig);
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out().lines().filter(l -> l.startsWith(folderName)))
          .singleElement()
          .asString()
          .contains("being written (a backup that still runs; no metadata yet)");
      Cli json = cli("list", "--config", folderConfig, "--json");
      assertThat(json.exit()).as(json.err()).isZero();
      com.fasterxml.jackson.databind.JsonNode leftover =
          new ObjectMapper().readTree(json.out()).get(0);
      assertThat(leftover.get("name").asText()).isEqualTo(folderName);
      assertThat(leftover.get("being_written").asBoolean()).isTrue();

      Cli rotate = cli("keys", "rotate", "--config", sealedConfig);
      assertThat(rotate.exit()).as(rotate.out() + rotate.err()).isZero();
      assertThat(rotate.err().strip())
          .startsWith("backy: warning: 1 backup(s) were being written while the key changed")
          .contains("(" + sealedName + ")")
          .contains("need key " + taken);

      // S3 cannot read an upload's parts before it completes: any key may wrap it
      Cli retire = cli("keys", "retire", "--key-id", taken, "--config", sealedConfig);
      assertThat(retire.exit()).as(retire.out() + retire.err()).isEqualTo(1);
      assertThat(retire.err().strip())
          .isEqualTo(
              "backy: error: key "
                  + taken
                  + " may wrap (their headers cannot be read yet) the data key of 1 backup(s)"
                  + " still being written in the config's storage ("
                  + sealedName
                  + "): wait until they finish, re-wrap them (backy keys rotate --config FILE)"
                  + " and retire it then, or add --force to retire it and lose them");
      assertThat(sealedRun).as("the backup still runs").isNotDone();
      st.execute("UNLOCK TABLES");
    }
    BackupResult made = sealedRun.get();
    folderRun.get();
    assertThat(made.location()).isEqualTo("s3://" + s3.bucket() + "/" + prefix + sealedName);
    assertThat(made.metadata().encryption().keyId()).isEqualTo(taken);

    // the key was kept: once the backup is re-wrapped, it goes, and the backup still verifies
    assertThat(cli("keys", "rotate", "--config", sealedConfig).exit()).isZero();
    Cli retire = cli("keys", "retire", "--key-id", taken, "--config", sealedConfig);
    assertThat(retire.exit()).as(retire.out() + retire.err()).isZero();
    Cli verify = cli("verify", "--no-require-hmac", made.location());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
  }

  /** Whether the .backy and the folder's data.sql each upload in parts. */
  private boolean bothUploading() {
    java.util.List<String> keys = uploadsWithParts();
    return keys.stream().filter(k -> k.endsWith(".backy")).count() == 1
        && keys.stream().filter(k -> k.endsWith("/data.sql")).count() == 1;
  }

  /** The keys under the prefix of the unfinished uploads that have sent a part. */
  private java.util.List<String> uploadsWithParts() {
    return client.listMultipartUploads(b -> b.bucket(s3.bucket()).prefix(prefix)).uploads().stream()
        .filter(
            u ->
                !client
                    .listParts(b -> b.bucket(s3.bucket()).key(u.key()).uploadId(u.uploadId()))
                    .parts()
                    .isEmpty())
        .map(software.amazon.awssdk.services.s3.model.MultipartUpload::key)
        .toList();
  }

  private int uploadedParts() {
    var uploads = client.listMultipartUploads(b -> b.bucket(s3.bucket()).prefix(prefix)).uploads();
    if (uploads.isEmpty()) {
      return 0;
    }
    var u = uploads.get(0);
    return client
        .listParts(b -> b.bucket(s3.bucket()).key(u.key()).uploadId(u.uploadId()))
        .parts()
        .size();
  }

  /**
   * A multiple_files backup killed mid-way leaves its committed objects without a sidecar: list
   * shows them as incomplete, and prune deletes them once nothing has been written under the folder
   * for a day, counting the parts of an upload still open there.
   */
  @Test
  void aFolderBackupStoppedHalfWay_isListedAsIncomplete_andPrunedOnceADayOld() throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    Map<String, Object> config =
        backupConfig(
            source,
            storage("aws", Map.of("retention", Map.of("keep_last", 1))),
            Map.of("database", Map.of("multiple_files", true)));
    Path configFile = writeConfig(config);
    BackupResult b = backy.backup(config);
    String name = b.metadata().name();
    client.deleteObject(d -> d.bucket(s3.bucket()).key(prefix + name + ".metadata.json"));
    // another one killed while it uploaded its data: its tables.sql is as old, data.sql's upload
    // is still open and was written to a moment ago
    String writing = name + "-1";
    client.putObject(
        o -> o.bucket(s3.bucket()).key(prefix + writing + "/tables.sql"),
        software.amazon.awssdk.core.sync.RequestBody.fromString("-- tables\n"));
    String upload =
        client
            .createMultipartUpload(u -> u.bucket(s3.bucket()).key(prefix + writing + "/data.sql"))
            .uploadId();
    client.uploadPart(
        u ->
            u.bucket(s3.bucket())
                .key(prefix + writing + "/data.sql")
                .uploadId(upload)
                .partNumber(1),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[5 << 20]));
    // s3proxy's LastModified is its file's: make the committed objects 30 hours old
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(30)));
    for (String key :
        new String[] {name + "/tables.sql", name + "/data.sql", writing + "/tables.sql"}) {
      Files.setLastModifiedTime(s3dir.resolve(s3.bucket()).resolve(prefix + key), old);
    }

    Cli list = cli("list", "--config", configFile.toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .containsPattern(name + "/ +incomplete \\(no metadata\\), 2 files, last written 30 h ago\n")
        // S3 cannot ask whether the uploader still runs: an upload sent a part a moment ago is
        // taken for a backup that runs, until a day has passed without a part
        .containsPattern(
            name
                + "-1/ +being written \\(a backup that still runs; no metadata yet\\), 1 file,"
                + " last written less than a minute ago\n");

    Cli prune = cli("prune", "--config", configFile.toString());
    assertThat(prune.exit()).as(prune.err()).isZero();
    assertThat(prune.out())
        .contains("deleted " + name + " ")
        .doesNotContain("deleted " + writing)
        .contains("1 incomplete backup(s) (no metadata)");
    assertThat(
            client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix + name + "/")).contents())
        .isEmpty();
    assertThat(
            client
                .listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix + writing + "/"))
                .contents())
        .hasSize(1);

    // the upload ends without a commit (aborted, or removed by a lifecycle rule): only the old
    // object is left, and the next prune deletes it
    client.abortMultipartUpload(
        a -> a.bucket(s3.bucket()).key(prefix + writing + "/data.sql").uploadId(upload));
    prune = cli("prune", "--config", configFile.toString());
    assertThat(prune.out()).contains("deleted " + writing + " ");
    assertThat(client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix(prefix)).contents())
        .isEmpty();
  }

  /**
   * A single-file backup whose sidecar was never stored (the process killed, or the network cut,
   * right after the data object's upload completed) stayed unlisted and unpruned for ever. {@code
   * list} shows it as incomplete; {@code prune} removes it once nothing has been written to it for
   * a day and a newer backup has finished, never while it may be the newest copy, on S3 as locally.
   */
  @ParameterizedTest(name = "{0} storage")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"aws", "local"})
  void aSingleFileBackupWhoseSidecarWasNeverStored_isListed_andPrunedOnceSuperseded(String type)
      throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    Map<String, Object> zstd =
        Map.of("compression", Map.of("compression", true, "compression_type", "zstd"));
    Map<String, Object> config = backupConfig(source, storage(type, Map.of()), zstd);
    Path pruneConfig =
        writeConfig(
            backupConfig(source, storage(type, Map.of("retention", Map.of("keep_last", 1))), zstd));
    BackupResult orphan = backy.backup(config);
    String name = orphan.metadata().name();
    BackupStorage storage =
        Storages.open(
            io.backydb.config.ConfigLoader.backupFromMap(config).storage(), Environment.of(vars));
    storage.delete(name + ".metadata.json");

    Cli list = cli("list", "--config", pruneConfig.toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .containsPattern(
            name
                + "\\.backy +incomplete \\(no metadata\\), 1 file, last written less than a"
                + " minute ago\n");
    // the data is all there: it may be the only copy, and verify takes it by its location
    Cli verify = cli("verify", "--no-require-hmac", orphan.location());
    assertThat(verify.out()).as(verify.err()).startsWith("OK ");

    // a day and more without a write: still kept while no newer backup has finished
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(30)));
    Path file =
        type.equals("aws")
            ? s3dir.resolve(s3.bucket()).resolve(prefix + name + ".backy")
            : dir.resolve("local").resolve(name + ".backy");
    Files.setLastModifiedTime(file, old);
    Cli prune = cli("prune", "--config", pruneConfig.toString());
    assertThat(prune.exit()).as(prune.err()).isZero();
    assertThat(prune.out()).doesNotContain(name);
    assertThat(storage.exists(name + ".backy")).isTrue();

    BackupResult newer = backy.backup(config);
    Cli dry = cli("prune", "--config", pruneConfig.toString(), "--dry-run");
    assertThat(dry.out())
        .contains("would delete " + name + " ")
        .contains(
            "incomplete (no metadata), 1 file(s), last written 30 h ago  " + orphan.location())
        .contains("1 incomplete backup(s) (no metadata)");
    assertThat(storage.exists(name + ".backy")).isTrue();
    prune = cli("prune", "--config", pruneConfig.toString());
    assertThat(prune.out()).contains("deleted " + name + " ");
    assertThat(storage.exists(name + ".backy")).isFalse();
    list = cli("list", "--config", pruneConfig.toString());
    assertThat(list.out()).doesNotContain("incomplete").contains(listed(newer.location()));
  }

  @ParameterizedTest(name = "{0} storage")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"aws", "local"})
  void retention_afterEachBackup_andPrune_withDryRun(String type) throws Exception {
    db.execute(source, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    String other = TestServer.uniqueName("s3_other");
    db.createDatabase(other);
    try {
      db.execute(other, "CREATE TABLE o (id INT PRIMARY KEY)");
      Map<String, Object> keep2 =
          backupConfig(
              source, storage(type, Map.of("retention", Map.of("keep_last", 2))), Map.of());
      Map<String, Object> noRetention = backupConfig(other, storage(type, Map.of()), Map.of());
      BackupResult otherBackup = backy.backup(noRetention);
      BackupResult first = backy.backup(keep2);
      BackupResult second = backy.backup(keep2);
      BackupResult third = backy.backup(keep2);

      // the retention step after the third backup removed the first; the other database's stays
      Cli list = cli("list", "--config", writeConfig(keep2).toString());
      assertThat(list.out())
          .doesNotContain(listed(first.location()))
          .contains(
              listed(second.location()), listed(third.location()), listed(otherBackup.location()));

      Map<String, Object> keep1 =
          backupConfig(
              source, storage(type, Map.of("retention", Map.of("keep_last", 1))), Map.of());
      Path keep1File = writeConfig(keep1);
      Cli dry = cli("prune", "--config", keep1File.toString(), "--dry-run");
      assertThat(dry.exit()).as(dry.err()).isZero();
      assertThat(dry.out())
          .contains("would delete " + second.metadata().name())
          .contains("Dry run: would delete 1 backup(s)");
      assertThat(cli("list", "--config", keep1File.toString()).out())
          .contains(listed(second.location()));

      Cli prune = cli("prune", "--config", keep1File.toString());
      assertThat(prune.exit()).as(prune.err()).isZero();
      assertThat(prune.out()).contains("Deleted 1 backup(s)");
      String after = cli("list", "--config", keep1File.toString()).out();
      assertThat(after)
          .doesNotContain(listed(second.location()))
          .contains(listed(third.location()), listed(otherBackup.location()));
      BackupStorage s =
          Storages.open(
              io.backydb.config.ConfigLoader.backupFromMap(keep1).storage(), Environment.of(vars));
      assertThat(s.nameOf(second.location())).isNotNull();
      assertThat(s.exists(s.nameOf(second.location()))).isFalse();
      assertThat(s.exists(second.metadata().name() + ".metadata.json")).isFalse();

      // the newest backup survives any policy
      Cli again = cli("prune", "--config", keep1File.toString());
      assertThat(again.out()).contains("Deleted 0 backup(s)");
    } finally {
      db.dropDatabase(other);
    }
  }

  @Test
  void prune_withoutRetention_isAConfigError() throws Exception {
    Cli c =
        cli(
            "prune",
            "--config",
            writeConfig(backupConfig(source, storage("aws", Map.of()), Map.of())).toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("storage.retention is not set");
  }

  /** A backup as {@code backy list} names it: relative to the storage (here, its top level). */
  private static String listed(String location) {
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
