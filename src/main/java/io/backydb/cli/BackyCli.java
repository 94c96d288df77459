package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.BackyVersion;
import io.backydb.ErrorCode;
import io.backydb.OneLine;
import io.backydb.config.Environment;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/backy}: the command line. Exit codes: 0 success, 1 the operation failed, 2 bad usage
 * or configuration. Errors are printed as one line on stderr; details go to the log file in {@code
 * LOGGING_PATH}.
 */
@Command(
    name = "backy",
    mixinStandardHelpOptions = true,
    versionProvider = BackyCli.Version.class,
    description = "Back up and restore MySQL/MariaDB databases.",
    subcommands = {
      BackupCommand.class,
      RestoreCommand.class,
      ListCommand.class,
      PruneCommand.class,
      VerifyCommand.class,
      RunCommand.class,
      HistoryCommand.class,
      DemoCommand.class,
      KeysCommand.class,
      HelpCommand.class
    })
public final class BackyCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    if (isService(args)) {
      System.exit(execute(Environment.system(), args));
    }
    int code;
    try (StopRequest stop = StopRequest.watch()) {
      code = execute(Environment.system(), args);
    }
    System.exit(code);
  }

  /** Runs the CLI and returns its exit code (tests call this directly). */
  public static int execute(Environment env, String... args) {
    return execute(
        env,
        new PrintWriter(
            new java.io.OutputStreamWriter(System.out, java.nio.charset.Charset.defaultCharset()),
            true),
        new PrintWriter(
            new java.io.OutputStreamWriter(System.err, java.nio.charset.Charset.defaultCharset()),
            true),
        args);
  }

  /** Runs the CLI with the given output streams. */
  public static int execute(Environment env, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new BackyCli(), new EnvironmentFactory(env));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(BackyCli::handle);
    cli.setParameterExceptionHandler(BackyCli::usageError);
    cli.setExecutionStrategy(
        parsed -> {
          if (!helpOnly(parsed)) {
            try {
              Logging.configure(env, isService(args), err);
            } catch (BackyException e) {
              // a log folder that cannot be used: one line and exit 2 before the command runs
              throw new CommandLine.ExecutionException(cli, e.getMessage(), e);
            }
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    return cli.execute(args);
  }

  /** {@code --help}, {@code --version} or {@code help}: only prints, so needs no log file. */
  private static boolean helpOnly(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested()
          || p.isVersionHelpRequested()
          || p.commandSpec().userObject() instanceof HelpCommand) {
        return true;
      }
    }
    return false;
  }

  /** {@code backy run}: the long-running service, which stops through Camel, not StopRequest. */
  private static boolean isService(String[] args) {
    return args.length > 0 && args[0].equals("run");
  }

  /**
   * A command line picocli cannot parse: one line that names the problem and where the usage is,
   * like every other error, instead of the usage text after it.
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    if (e instanceof CommandLine.MissingParameterException
        && !cmd.getUnmatchedArguments().isEmpty()) {
      // picocli checks required options before it reports what it did not understand: for
      // "backup --confg x.yaml" the mistyped option, not the "missing" --config, is the problem
      // (the first: what follows an unknown option, its value say, is unmatched too)
      e =
          new CommandLine.UnmatchedArgumentException(
              cmd, cmd.getUnmatchedArguments().subList(0, 1));
    }
    String problem = e.getMessage() == null ? "bad command line" : e.getMessage().strip();
    if (problem.endsWith(".")) {
      problem = problem.substring(0, problem.length() - 1); // some of picocli's end in one
    }
    if (e instanceof CommandLine.UnmatchedArgumentException u) {
      String command = unknownCommand(u);
      if (command != null) {
        problem = "Unknown command '" + command + "'"; // picocli: "Unmatched argument at index 0"
      }
      if (!u.getSuggestions().isEmpty()) {
        problem += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
      }
    }
    cmd.getErr()
        .println(
            "backy: error: "
                + OneLine.of(problem)
                + "; see '"
                + cmd.getCommandSpec().qualifiedName()
                + " --help'");
    return ErrorCode.CONFIG.exitCode();
  }

  /**
   * The word given where a command's subcommand goes ({@code bakup} in {@code backy bakup}), or
   * null when what was not understood is something else: an option, or an argument of a command
   * that takes some.
   */
  private static String unknownCommand(CommandLine.UnmatchedArgumentException u) {
    CommandLine cmd = u.getCommandLine();
    List<String> unmatched = u.getUnmatched();
    if (cmd.getSubcommands().isEmpty()
        || !cmd.getCommandSpec().positionalParameters().isEmpty()
        || unmatched.isEmpty()
        || u.isUnknownOption()) {
      return null;
    }
    return unmatched.get(0);
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (StopRequest.received()) {
      return stopped(e, cmd, err);
    }
    BackyException b = BackyException.find(e);
    if (b != null) {
      err.println("backy: error: " + OneLine.of(b.getMessage()));
      // a configuration error is all in its line: the service's console (stdout) does not repeat
      // it with a stack trace, the log file keeps them
      org.slf4j.LoggerFactory.getLogger(BackyCli.class)
          .error(
              b.code() == ErrorCode.CONFIG ? Logging.FILE_ONLY : null,
              "{} failed: {}",
              cmd.getCommandName(),
              b.getMessage(),
              b);
      return b.code().exitCode();
    }
    err.println(
        "backy: error: " + OneLine.of(firstLine(e)) + " (" + Logging.whereDetailsAre() + ")");
    org.slf4j.LoggerFactory.getLogger(BackyCli.class).error("{} failed", cmd.getCommandName(), e);
    return ErrorCode.FAILED.exitCode();
  }

  /** The command failed because a stop request interrupted it. */
  private static int stopped(Exception e, CommandLine cmd, PrintWriter err) {
    String name = cmd.getCommandName();
    String line =
        name.equals("backup")
            // BackupWriter removed the temporary object and whatever it had committed
            ? "backup stopped by a signal before it finished; nothing was stored"
            : name + " stopped by a signal before it finished: " + firstLine(e);
    err.println("backy: error: " + OneLine.of(line));
    org.slf4j.LoggerFactory.getLogger(BackyCli.class).error(line, e);
    return ErrorCode.FAILED.exitCode();
  }

  private static String firstLine(Exception e) {
    BackyException b = BackyException.find(e);
    Throwable t = b != null ? b : e;
    return t.getMessage() == null
        ? t.getClass().getSimpleName()
        : t.getMessage().lines().findFirst().orElse("");
  }

  /** Prints the tool's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BackyVersion.NAME + " " + BackyVersion.version()};
    }
  }

  /** Gives every command the same {@link Environment}, so tests can run the CLI with their own. */
  static final class EnvironmentFactory implements CommandLine.IFactory {
    private final Environment env;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    EnvironmentFactory(Environment env) {
      this.env = env;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Environment.class).newInstance(env);
      } catch (NoSuchMethodException e) {
        return fallback.create(cls);
      }
    }
  }
}
