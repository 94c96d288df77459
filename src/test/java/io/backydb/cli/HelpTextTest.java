package io.backydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Environment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help of every command reads as text, whatever the terminal's width. */
class HelpTextTest {

  static List<CommandLine> all(CommandLine c) {
    List<CommandLine> found = new ArrayList<>(List.of(c));
    for (CommandLine sub : c.getSubcommands().values()) {
      found.addAll(all(sub));
    }
    return found;
  }

  /**
   * picocli prints each line of a description as it is and wraps a long one: lines broken by hand
   * in mid-sentence came out as "...with its features and" / "and" / "tables, are considered". Each
   * line must be a whole paragraph, ending a sentence, for picocli to wrap.
   */
  @Test
  void everyDescriptionLineIsAWholeParagraph() {
    CommandLine cli =
        new CommandLine(new BackyCli(), new BackyCli.EnvironmentFactory(Environment.of(Map.of())));
    List<CommandLine> commands = all(cli);
    assertThat(commands).hasSizeGreaterThan(10);
    for (CommandLine c : commands) {
      for (String line : c.getCommandSpec().usageMessage().description()) {
        // picocli's own help command ends its line in %n
        assertThat(line.replaceAll("%n$", "")).as(c.getCommandSpec().qualifiedName()).endsWith(".");
      }
    }
  }
}
