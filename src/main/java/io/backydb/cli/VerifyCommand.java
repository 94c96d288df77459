package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.OneLine;
import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.engine.mysql.MySqlEngine;
import io.backydb.keys.DataKey;
import io.backydb.restore.BackupDecryption;
import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.storage.Storages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code backy verify PATH}: reads a backup completely and checks it. Exit 0 intact; 1 not intact
 * (the report on stdout, one error line on stderr) or the storage failed; 2 it cannot be checked as
 * asked (usage, no backup at PATH, a variable or key it needs).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    // one paragraph per line: picocli wraps them at the terminal's width
    description = {
      "Read a backup completely and check that it is intact. A backup protected by an HMAC"
          + " needs INTEGRITY_PASSWORD; an encrypted one, its keys.",
      "Exit 0: intact (prints OK).",
      "Exit 1: not intact: damaged, changed, truncated, or a wrong INTEGRITY_PASSWORD (prints"
          + " FAILED and what is wrong on stdout, and one error line on stderr); or complete but"
          + " unverifiable, with nothing to check its content against (a plain SQL backup without its"
          + " metadata sidecar: prints UNVERIFIED, and one error line on stderr); or the storage"
          + " could not be read.",
      "Exit 2: it cannot be checked as asked: bad usage, no backup at PATH, a variable it needs"
          + " is not set, a key pair is missing or PRIVATE_KEY_PASSWORD is wrong (one error line"
          + " on stderr)."
    })
final class VerifyCommand extends BackyCommand {

  @Parameters(
      paramLabel = "PATH",
      description =
          "The backup: a .sql or .backy file, or a backup folder, local or s3://bucket/key"
              + " (credentials, region, endpoint and AWS_S3_PATH_STYLE from AWS_S3_*).")
  String path;

  @Option(
      names = "--require-hmac",
      negatable = true,
      description = {
        "Refuse a backup that carries no HMAC (default: on when INTEGRITY_PASSWORD is set).",
        "--no-require-hmac checks one made without an HMAC by its checksum alone."
      })
  Boolean requireHmac;

  VerifyCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() throws Exception {
    // a local path, or s3://bucket/key with credentials, endpoint and path style from AWS_S3_*
    Storages.Located at = Storages.forLocation(path, env);
    BackupSource source = BackupSource.locate(at.storage(), at.location(), "backup");
    DataKey dataKey = BackupDecryption.setUp(source, env);
    try {
      BackupVerifier.Report r =
          new BackupVerifier(
                  env,
                  requireHmac != null ? requireHmac : RestoreConfig.hmacRequiredByDefault(env),
                  // BackyDB's dumps are MySQL/MariaDB ones
                  MySqlEngine::dumpScanner)
              .verify(source);
      if (r.intact()) {
        out().printf("OK %s: %s read, intact%n", r.location(), Sizes.human(r.bytesRead()));
        return 0;
      }
      if (!r.damaged()) {
        // complete, but not "intact": nothing recorded what its content should be
        out()
            .printf(
                "UNVERIFIED %s: %s read, complete, but there is nothing to check its content"
                    + " against (%s)%n",
                r.location(), Sizes.human(r.bytesRead()), r.nothingToCompare());
        throw new BackyException(
            ErrorCode.FAILED,
            "backup "
                + r.location()
                + " cannot be verified: it is complete, but there is nothing to check its content"
                + " against ("
                + r.nothingToCompare()
                + ")");
      }
      // the report is the command's output; the error line on stderr, as every command's (exit 1)
      out().println("FAILED " + r.location());
      for (String problem : r.problems()) {
        out().println("  " + OneLine.of(problem));
      }
      throw r.failure();
    } finally {
      if (dataKey != null) {
        dataKey.close(); // the whole backup has been read: the key is not needed any more
      }
      source.destroyIntegrityKey(); // the HMAC key, likewise
    }
  }
}
