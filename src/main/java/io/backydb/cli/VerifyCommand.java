package io.backydb.cli;

import io.backydb.config.Environment;
import io.backydb.config.RestoreConfig;
import io.backydb.keys.DataKey;
import io.backydb.restore.BackupDecryption;
import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.storage.Storages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code backy verify PATH}: reads a backup completely and checks it. Exit 0 intact, 1 not. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Read a backup completely and check that it is intact.",
      "A .backy file protected by an HMAC needs INTEGRITY_PASSWORD.",
      "Exit 0 if it is, 1 if not (saying what is wrong)."
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
                  env, requireHmac != null ? requireHmac : RestoreConfig.hmacRequiredByDefault(env))
              .verify(source);
      if (r.intact()) {
        out().printf("OK %s: %s read, intact%n", r.location(), Sizes.human(r.bytesRead()));
        return 0;
      }
      out().println("FAILED " + r.location());
      for (String problem : r.problems()) {
        out().println("  " + problem);
      }
      return 1;
    } finally {
      if (dataKey != null) {
        dataKey.close(); // the whole backup has been read: the key is not needed any more
      }
    }
  }
}
