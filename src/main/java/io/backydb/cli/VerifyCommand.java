package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.restore.BackupDecryption;
import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import io.backydb.storage.LocalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
final class VerifyCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private final Environment env;

  VerifyCommand(Environment env) {
    this.env = env;
  }

  @Parameters(
      paramLabel = "PATH",
      description = "The backup: a .sql or .backy file, or a backup folder.")
  String path;

  @Override
  public Integer call() throws Exception {
    Path p = Path.of(path).toAbsolutePath().normalize();
    if (!Files.exists(p) || p.getParent() == null) {
      throw new BackyException(ErrorCode.CONFIG, "backup " + path + " does not exist");
    }
    LocalStorage storage = new LocalStorage(p.getParent());
    BackupSource source = BackupSource.locate(storage, p.toString());
    BackupDecryption.setUp(source, env);
    BackupVerifier.Report r = new BackupVerifier(env).verify(source);
    if (r.intact()) {
      out().printf("OK %s: %s read, intact%n", r.location(), Sizes.human(r.bytesRead()));
      return 0;
    }
    out().println("FAILED " + r.location());
    for (String problem : r.problems()) {
      out().println("  " + problem);
    }
    return 1;
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
