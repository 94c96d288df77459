package io.backydb.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backy help [COMMAND [SUBCOMMAND...]]}: the help of the command the words name, as {@code
 * backy COMMAND SUBCOMMAND --help} prints it. picocli's own help command takes one word: {@code
 * backy help keys rotate} showed the help of {@code keys}, and {@code backy help keys bogus} did
 * too, exit 0, where {@code backy keys bogus} is refused.
 */
@Command(
    name = "help",
    description = "Show the help of a command, or of one of its commands: backy help keys rotate.")
final class HelpCommand implements Runnable {

  @Spec CommandSpec spec;

  @CommandLine.Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean helpRequested;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The command, and its command, to show the help of.")
  List<String> commands = new ArrayList<>();

  @Override
  public void run() {
    CommandLine command = spec.commandLine().getParent();
    for (String word : commands) {
      CommandLine sub = command.getSubcommands().get(word);
      if (sub == null) {
        throw unknown(command, word);
      }
      command = sub;
    }
    command.usage(spec.commandLine().getOut(), spec.commandLine().getColorScheme());
  }

  /**
   * The same refusal as the command line gives the word where no command has its name ({@code backy
   * keys bogus}), with its suggestions: BackyCli's usage error handler words it.
   */
  private static CommandLine.ParameterException unknown(CommandLine command, String word) {
    if (command.getSubcommands().isEmpty()) {
      // a word after a command that takes none: picocli would say "Unmatched argument at index 0"
      return new CommandLine.ParameterException(command, "Unknown command '" + word + "'");
    }
    return new CommandLine.UnmatchedArgumentException(command, List.of(word));
  }
}
