package io.backydb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config example a user may copy loads: the files in {@code examples/}, and each fenced
 * {@code yaml} or {@code json} block of README.md and docs/*.md that is a config (it has {@code
 * database} or {@code storage}) or a section of one (all its top-level keys are config keys). A
 * section is completed with a minimal database and local storage before loading, so a wrong key
 * inside it fails here as it would for the user.
 */
class DocsConfigExamplesTest {

  static final Set<String> CONFIG_KEYS =
      Set.of(
          "database",
          "compression",
          "security",
          "integrity",
          "storage",
          "backup_path",
          "replace_existing");

  static final Pattern FENCE =
      Pattern.compile("^```(yaml|yml|json)\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new YAMLMapper();

  /** One config example: where it is and its text, ready to load. */
  record Example(String where, String text, boolean json) {
    @Override
    public String toString() {
      return where;
    }
  }

  static List<Example> docExamples() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(Path.of("README.md"));
    try (Stream<Path> s = Files.list(Path.of("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<Example> out = new ArrayList<>();
    for (Path doc : docs) {
      String text = Files.readString(doc);
      Matcher m = FENCE.matcher(text);
      while (m.find()) {
        int line = (int) text.substring(0, m.start()).lines().count() + 1;
        boolean json = m.group(1).equals("json");
        String body = m.group(2);
        List<String> parts =
            json && !body.strip().startsWith("{") ? fragments(body) : List.of(body);
        for (int i = 0; i < parts.size(); i++) {
          String where = doc + ":" + line + (parts.size() > 1 ? " #" + (i + 1) : "");
          if (isConfig(parts.get(i), json)) {
            out.add(new Example(where, parts.get(i), json));
          }
        }
      }
    }
    return out;
  }

  /**
   * A JSON block of {@code "key": value} sections, such as {@code "storage": {...}}: each section
   * (starting at a line that starts with a quote) as a JSON object of its own.
   */
  static List<String> fragments(String body) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    for (String line : body.split("\n", -1)) {
      if (line.startsWith("\"")) {
        if (cur != null) {
          out.add("{" + cur + "}");
        }
        cur = new StringBuilder();
      }
      if (cur != null) {
        cur.append(line).append('\n');
      }
    }
    if (cur != null) {
      out.add("{" + cur + "}");
    }
    return out;
  }

  /** Parses as a mapping whose keys include a config key; other blocks are not configs. */
  static boolean isConfig(String text, boolean json) {
    JsonNode node;
    try {
      node = (json ? JSON : YAML).readTree(text);
    } catch (IOException e) {
      return false; // e.g. event lines with "…" in them
    }
    if (node == null || !node.isObject()) {
      return false;
    }
    if (node.has("database") || node.has("storage")) {
      return true; // a config, whatever else it has: a misspelt key must fail, not be skipped
    }
    // a section such as "security": {...}; a backup header or metadata sidecar has other keys too
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return CONFIG_KEYS.containsAll(keys);
  }

  static Stream<Arguments> examples() throws IOException {
    return docExamples().stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void aConfigExampleInTheDocsLoads(Example e) throws IOException {
    ObjectNode node = (ObjectNode) (e.json() ? JSON : YAML).readTree(e.text());
    boolean whole = node.has("database") && node.has("storage");
    boolean restore = node.has("backup_path");
    assertThatCode(
            () -> {
              if (whole) {
                // the text itself, through the loader's own parser (duplicates, syntax, types)
                if (restore) {
                  ConfigLoader.restoreFromText(e.text());
                } else {
                  ConfigLoader.backupFromText(e.text());
                }
              } else {
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("database", Map.of("host", "h", "user", "u", "db_name", "d"));
                config.put("storage", Map.of("storage_type", "local"));
                config.putAll(JSON.convertValue(node, new TypeReference<Map<String, Object>>() {}));
                if (restore) {
                  ConfigLoader.restoreFromMap(config);
                } else {
                  ConfigLoader.backupFromMap(config);
                }
              }
            })
        .as(e.where())
        .doesNotThrowAnyException();
  }

  @Test
  void theDocsHaveTheConfigExamplesThisTestLooksFor() throws IOException {
    // so that a change to how blocks are found cannot make the test above check nothing
    List<String> where = docExamples().stream().map(Example::where).toList();
    assertThat(where.stream().filter(w -> w.startsWith("README.md:")))
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(where).anyMatch(w -> w.startsWith("docs/storage.md:"));
    assertThat(where).anyMatch(w -> w.startsWith("docs/configuration.md:"));
    assertThat(where).anyMatch(w -> w.startsWith("docs/security.md:") && w.endsWith(" #3"));
  }

  @Test
  void everyFileInExamplesLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      files = s.sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(7);
    for (Path f : files) {
      // read whole as a restore config if it has backup_path, else as a backup config
      assertThatCode(() -> ConfigLoader.storageFromFile(f))
          .as(f.toString())
          .doesNotThrowAnyException();
    }
  }
}
