package io.backydb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.testing.CliRun;
import io.backydb.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database the account has no privilege on is hidden from it as if it did not exist: the server
 * lists it nowhere and answers "Access denied" for it whether it exists or not. A backup or restore
 * by such an account says so, naming the account, instead of "database 'x' does not exist"; where
 * the account's privileges would cover the database, the server does say that it does not exist,
 * and so does BackyDB.
 */
class UnlistedDatabaseTest {

  static final TestServer server = TestServer.get();

  @TempDir Path dir;
  String db;
  String target;
  String user;
  String role;

  @BeforeEach
  void setUp() throws Exception {
    db = TestServer.uniqueName("unlisted");
    target = TestServer.uniqueName("unlisted_dst");
    server.createDatabase(db);
    server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    user = TestServer.uniqueName("unlisted_user");
    server.execute(null, "CREATE USER '" + user + "'@'%'");
    role = TestServer.uniqueName("unlisted_role");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.execute(null, "DROP USER IF EXISTS '" + user + "'@'%'", "DROP ROLE IF EXISTS " + role);
    server.dropDatabase(db);
    server.dropDatabase(target);
  }

  @Test
  void aBackupByAnAccountWithNoPrivilegeOnTheDatabaseSaysItMayNotSeeIt() throws Exception {
    CliRun r = backy("backup", "--config", backupConfig(user, db).toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "backy: error: user "
                + user
                + "@% cannot back up database '"
                + db
                + "' on "
                + server.host()
                + ":"
                + server.port()
                + ": it does not exist, or the account has no privilege on it (the server does not"
                + " tell an account without one which); check database.db_name, or grant the"
                + " account privileges on `"
                + db
                + "`.*\n");
  }

  @Test
  void aDatabaseThatTheAccountsPrivilegesWouldCoverIsSaidNotToExist() throws Exception {
    String gone = db + "_gone";
    server.execute(null, "GRANT SELECT ON `" + gone + "`.* TO '" + user + "'@'%'");
    CliRun r = backy("backup", "--config", backupConfig(user, gone).toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "backy: error: database '"
                + gone
                + "' does not exist on "
                + user
                + "@"
                + server.host()
                + ":"
                + server.port()
                + "\n");
  }

  @Test
  void aRestoreByAnAccountWithNoPrivilegeOnTheTargetSaysItMayNotSeeItBeforeAnythingRuns()
      throws Exception {
    CliRun b = backy("backup", "--config", backupConfig("root", db).toString());
    assertThat(b.exit()).as(b.err()).isZero();
    String location = b.out().lines().toList().get(1);
    // a target that does not exist, and one that does (the source itself), look the same to it
    for (String into : new String[] {target, db}) {
      for (String features : new String[] {"tables,data", "data"}) {
        CliRun r =
            backy(
                "restore",
                "--config",
                restoreConfig(user, into, location).toString(),
                "--features",
                features,
                "--replace-existing");
        assertThat(r.exit()).as(into + " " + features + ": " + r.err()).isEqualTo(1);
        assertThat(r.err())
            .as(into + " " + features)
            .isEqualTo(
                "backy: error: user "
                    + user
                    + "@% cannot restore into database '"
                    + into
                    + "' on "
                    + server.host()
                    + ":"
                    + server.port()
                    + ": it does not exist, or the account has no privilege on it (the server does"
                    + " not tell an account without one which); check database.db_name, or grant"
                    + " the account privileges on `"
                    + into
                    + "`.*\n");
      }
    }
    assertThat(server.databaseExists(target)).isFalse();
    assertThat(server.checksums(db)).containsOnlyKeys("t");
  }

  @Test
  void aRestoreByAnAccountThatSeesTheTargetIsMissingButMayNotCreateItSaysSoBeforeItReadsTheBackup()
      throws Exception {
    CliRun b = backy("backup", "--config", backupConfig("root", db).toString());
    assertThat(b.exit()).as(b.err()).isZero();
    Path backup = Path.of(b.out().lines().toList().get(1));
    // a damaged backup: the verify pass would refuse it, but the missing privilege comes first
    byte[] bytes = Files.readAllBytes(backup);
    bytes[bytes.length / 2] ^= 1;
    Files.write(backup, bytes);
    // its privileges cover the target, so the server tells it the target is missing; no CREATE
    server.execute(null, "GRANT SELECT, INSERT ON `" + target + "`.* TO '" + user + "'@'%'");
    CliRun r =
        backy("restore", "--config", restoreConfig(user, target, backup.toString()).toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "backy: error: database '"
                + target
                + "' does not exist on "
                + server.host()
                + ":"
                + server.port()
                + ", and user "
                + user
                + "@% may not create it (it has no CREATE privilege on it): create it, or grant the"
                + " account the CREATE privilege on `"
                + target
                + "`.*; nothing was applied\n");
    assertThat(server.databaseExists(target)).isFalse();
  }

  @Test
  void anAccountThatMayCreateTheTargetThroughARoleOnANamePatternRestoresIt() throws Exception {
    CliRun b = backy("backup", "--config", backupConfig("root", db).toString());
    assertThat(b.exit()).as(b.err()).isZero();
    String location = b.out().lines().toList().get(1);
    // a pattern that covers the target (unlisted\_dst\_1234abc%), granted to the user's default
    // role
    String pattern = target.substring(0, target.length() - 1).replace("_", "\\_") + "%";
    server.execute(
        null,
        "CREATE ROLE " + role,
        "GRANT ALL ON `" + pattern + "`.* TO " + role,
        "GRANT " + role + " TO '" + user + "'@'%'",
        "SET DEFAULT ROLE " + role + " FOR '" + user + "'@'%'");
    CliRun r = backy("restore", "--config", restoreConfig(user, target, location).toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(server.checksums(target)).isEqualTo(server.checksums(db));
  }

  private CliRun backy(String... args) {
    return CliRun.backy(dir, dir.resolve("backups"), args);
  }

  private Path backupConfig(String account, String database) throws Exception {
    Path f = dir.resolve("backup-" + account + "-" + database + ".yaml");
    Files.writeString(
        f, server.databaseYaml(account, database) + "storage:\n  storage_type: local\n");
    return f;
  }

  private Path restoreConfig(String account, String database, String location) throws Exception {
    Path f = dir.resolve("restore-" + account + "-" + database + ".yaml");
    Files.writeString(
        f,
        server.databaseYaml(account, database)
            + "backup_path: '"
            + location
            + "'\nstorage:\n  storage_type: local\n");
    return f;
  }
}
