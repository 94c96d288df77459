package io.backydb.cli;

import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code backy} command shares: the environment its secrets and locations come from (the
 * process's, or a test's), and the output streams the CLI was given.
 */
abstract class BackyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  protected final Environment env;

  BackyCommand(Environment env) {
    this.env = env;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
