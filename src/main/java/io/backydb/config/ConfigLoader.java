package io.backydb.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads backup and restore configurations from JSON or YAML files, strings or maps, strictly: an
 * unknown key, a value of the wrong type or a missing required key fails with a one-line {@link
 * BackyException} ({@link ErrorCode#CONFIG}) that names the key.
 */
public final class ConfigLoader {

  private static final ObjectMapper JSON =
      strict(
          JsonMapper.builder()
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
              .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
              .build());
  private static final ObjectMapper YAML =
      strict(
          YAMLMapper.builder()
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
              .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
              .build());
  private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
  private static final Pattern NUMBER = Pattern.compile("\\(([-+0-9.eE]+)\\)");

  private ConfigLoader() {}

  private static ObjectMapper strict(ObjectMapper m) {
    m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    m.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    m.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    // "port": "3306" or "host": 5 are mistakes worth naming, not values to guess at
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    return m;
  }

  /** Loads a backup config from a file ({@code .json}, {@code .yaml} or {@code .yml}). */
  public static BackupConfig backupFromFile(Path file) {
    return bind(read(file), BackupConfig.class, file.toString());
  }

  public static RestoreConfig restoreFromFile(Path file) {
    return bind(read(file), RestoreConfig.class, file.toString());
  }

  /** A parsed config: its tree, and its values as written (for the messages about them). */
  private record Parsed(com.fasterxml.jackson.databind.JsonNode node, WrittenScalars written) {}

  /**
   * The storage section of a backup or a restore config file: a restore config if {@code
   * backup_path} is one of its top-level keys, a backup config otherwise. Either is validated
   * whole.
   */
  public static StorageConfig storageFromFile(Path file) {
    Parsed parsed = read(file);
    return parsed.node().has("backup_path")
        ? bind(parsed, RestoreConfig.class, file.toString()).storage()
        : bind(parsed, BackupConfig.class, file.toString()).storage();
  }

  public static BackupConfig backupFromMap(Map<String, ?> map) {
    return bind(
        new Parsed(JSON.valueToTree(map), WrittenScalars.NONE), BackupConfig.class, "config");
  }

  public static RestoreConfig restoreFromMap(Map<String, ?> map) {
    return bind(
        new Parsed(JSON.valueToTree(map), WrittenScalars.NONE), RestoreConfig.class, "config");
  }

  /** Parses config text; JSON if it starts with '{', YAML otherwise. */
  public static BackupConfig backupFromText(String text) {
    return bind(
        parse(text, text.stripLeading().startsWith("{") ? JSON : YAML, "config"),
        BackupConfig.class,
        "config");
  }

  public static RestoreConfig restoreFromText(String text) {
    return bind(
        parse(text, text.stripLeading().startsWith("{") ? JSON : YAML, "config"),
        RestoreConfig.class,
        "config");
  }

  private static Parsed read(Path file) {
    String name =
        file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (Files.isDirectory(file)) {
      // before the name's check: "name must end in .json" of /etc/backydb hides the real mistake
      throw new BackyException(
          ErrorCode.CONFIG, "config file " + file + " is a folder: give the config file in it");
    }
    ObjectMapper mapper;
    if (name.endsWith(".json")) {
      mapper = JSON;
    } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      mapper = YAML;
    } else {
      throw new BackyException(
          ErrorCode.CONFIG, "config file " + file + ": name must end in .json, .yaml or .yml");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new BackyException(ErrorCode.CONFIG, "config file " + file + " does not exist");
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CONFIG, "config file " + file + " cannot be read: " + e.getMessage());
    }
    return parse(text, mapper, file.toString());
  }

  private static Parsed parse(String text, ObjectMapper mapper, String source) {
    if (text.startsWith(BYTE_ORDER_MARK)) {
      // editors on Windows save UTF-8 with it; the JSON parser took it for a stray character
      text = text.substring(1);
    }
    try {
      com.fasterxml.jackson.databind.JsonNode node = mapper.readTree(text);
      if (node == null || node.isMissingNode() || node.isNull()) {
        throw new BackyException(
            ErrorCode.CONFIG,
            source + " holds no settings: expected a mapping of settings (database, storage, ...)");
      }
      if (!node.isObject()) {
        throw new BackyException(
            ErrorCode.CONFIG,
            source
                + ": expected a mapping of settings at the top level, not "
                + (node.isArray() ? "a list" : "a single value"));
      }
      return new Parsed(node, WrittenScalars.of(text, mapper));
    } catch (JsonProcessingException e) {
      String duplicate = duplicateKey(e);
      if (duplicate != null) {
        // the parser stops at the second occurrence, so "last one wins" never happens silently
        throw new BackyException(
            ErrorCode.CONFIG,
            source
                + ": duplicate key '"
                + duplicate
                + "'"
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
      }
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      String problem = firstLine(e.getOriginalMessage());
      if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y
          && y.getProblem() != null) {
        // its first line is the context ("while scanning for the next token"); the problem
        // ("found character '\t(TAB)' that cannot start any token") and its place come after
        problem = firstLine(y.getProblem());
        if (y.getProblemMark() != null) {
          where =
              " at line "
                  + (y.getProblemMark().getLine() + 1)
                  + ", column "
                  + (y.getProblemMark().getColumn() + 1);
        }
      } else if (problem.startsWith("Trailing token")) {
        problem =
            mapper == JSON
                ? "more text follows the end of the JSON object"
                : "a second YAML document (after '---') follows the first: a config is one";
      }
      throw new BackyException(
          ErrorCode.CONFIG,
          source + ": malformed " + (mapper == JSON ? "JSON" : "YAML") + where + ": " + problem);
    }
  }

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private static final java.util.Set<String> BACKUP_ONLY_SECTIONS =
      java.util.Set.of(
          "unknown key 'compression'", "unknown key 'security'", "unknown key 'integrity'");

  /** The dotted path of the key given twice, if that is what {@code e} reports; else null. */
  private static String duplicateKey(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    if (msg == null
        || !msg.startsWith("Duplicate field")
        || !(e.getProcessor() instanceof JsonParser p)) {
      return null;
    }
    return WrittenScalars.pathOf(p.getParsingContext());
  }

  /**
   * Refuses the keys of a backup config's sections that mean nothing to a restore, as the backup's
   * own sections are refused (an unknown key, with why): accepted, they were silently ignored.
   */
  private static void refuseBackupOnlyKeys(
      com.fasterxml.jackson.databind.JsonNode node, String source) {
    refuseKey(
        node,
        "database",
        "multiple_files",
        "a restore takes the backup as backup_path names it: a file, or a multiple-files folder",
        source);
    refuseKey(
        node,
        "storage",
        "retention",
        "a restore deletes no backup: retention applies after a backup and to backy prune",
        source);
  }

  private static void refuseKey(
      com.fasterxml.jackson.databind.JsonNode node,
      String section,
      String key,
      String why,
      String source) {
    if (node.path(section).has(key)) {
      throw new BackyException(
          ErrorCode.CONFIG, source + ": unknown key '" + section + "." + key + "' (" + why + ")");
    }
  }

  /**
   * Optional keys whose absence weakens the job: written without a value ({@code tls:}), such a key
   * meant something, and taking it for "not set" would quietly connect without what was asked for.
   * Jackson hands a constructor the same null for a key left out and a key left empty, so the tree
   * tells them apart.
   */
  private static final java.util.List<String> NOT_EMPTY_WHEN_GIVEN =
      java.util.List.of("tls", "tls_ca");

  private static void refuseEmptySecuritySettings(com.fasterxml.jackson.databind.JsonNode node) {
    com.fasterxml.jackson.databind.JsonNode database = node.path("database");
    for (String key : NOT_EMPTY_WHEN_GIVEN) {
      if (database.has(key) && database.get(key).isNull()) {
        throw new IllegalArgumentException("database." + key + " must not be empty");
      }
    }
  }

  private static <T> T bind(Parsed parsed, Class<T> type, String source) {
    com.fasterxml.jackson.databind.JsonNode node = parsed.node();
    if (type == RestoreConfig.class) {
      refuseBackupOnlyKeys(node, source);
    }
    try {
      refuseEmptySecuritySettings(node);
      T config = JSON.treeToValue(node, type);
      parsed.written().refuseUnplainIntegers(source);
      return config;
    } catch (JsonProcessingException e) {
      String unknown = e instanceof JsonMappingException m ? unknownKeyOf(node, m) : null;
      String message = unknown != null ? unknown : describe(e, parsed.written());
      message += parsed.written().nullWordHint(message);
      if (type == RestoreConfig.class && BACKUP_ONLY_SECTIONS.contains(message)) {
        // a backup config with backup_path added is the natural first restore config
        message +=
            " (a restore config has no compression, security or integrity section: the backup"
                + " says how it was made)";
      }
      throw new BackyException(ErrorCode.CONFIG, source + ": " + message, e);
    } catch (IllegalArgumentException e) {
      String message = firstLine(e.getMessage());
      throw new BackyException(
          ErrorCode.CONFIG, source + ": " + message + parsed.written().nullWordHint(message), e);
    }
  }

  /**
   * An unknown key in the section whose values failed to make a section, if it has one. Jackson
   * reads a section made through a constructor (every record here) whole, and reports the unknown
   * keys it saw only once the constructor has run: a misspelt key then showed as what its absence
   * broke ({@code retention: {keep_lst: 3}} said "set at least one of keep_last, ..."), while
   * beside a valid key it showed as itself. The misspelling is the cause: it is reported first.
   */
  private static String unknownKeyOf(
      com.fasterxml.jackson.databind.JsonNode root, JsonMappingException m) {
    java.util.List<JsonMappingException.Reference> refs = m.getPath();
    com.fasterxml.jackson.databind.JavaType type;
    if (m instanceof ValueInstantiationException v) {
      type = v.getType(); // the section's type; the path leads to the section
    } else if (m instanceof MismatchedInputException mi
        && mi.getOriginalMessage() != null
        && mi.getOriginalMessage().startsWith("Missing required creator property")
        && !refs.isEmpty()) {
      // the path leads to the missing key, from the section's type
      Object from = refs.get(refs.size() - 1).getFrom();
      type = JSON.constructType(from instanceof Class<?> c ? c : from.getClass());
      refs = refs.subList(0, refs.size() - 1);
    } else {
      return null;
    }
    com.fasterxml.jackson.databind.JsonNode section = root;
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        section = section.path(r.getFieldName());
        path.append(r.getFieldName()).append('.');
      } else {
        section = section.path(r.getIndex());
        path.append('[').append(r.getIndex()).append("].");
      }
    }
    if (type == null || !section.isObject()) {
      return null;
    }
    java.util.Set<String> known = new java.util.HashSet<>();
    JSON.getDeserializationConfig()
        .introspect(type)
        .findProperties()
        .forEach(p -> known.add(p.getName()));
    for (java.util.Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        return "unknown key '" + path.toString().replace(".[", "[") + key + "'";
      }
    }
    return null;
  }

  /**
   * The keys whose text is one of a few words, and those words: YAML reads an unquoted {@code on}
   * or {@code no} as a boolean, which quotes would not make one of them.
   */
  private static final Map<String, String> CHOICES =
      Map.of(
          "database.tls",
          TlsMode.keys(),
          "database.definers",
          String.join(", ", DatabaseConfig.DEFINER_POLICIES));

  /** Turns Jackson's multi-line messages into one line that names the offending key. */
  static String describe(JsonProcessingException e, WrittenScalars written) {
    String path = e instanceof JsonMappingException m ? path(m) : "";
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown key '" + path + "'";
    }
    if (e instanceof InvalidFormatException f) {
      String notText =
          f.getTargetType() == String.class
              ? written.notText(path, f.getValue(), CHOICES.get(path))
              : null;
      if (notText != null) {
        return notText;
      }
      if (f.getTargetType() != null && f.getTargetType().isEnum()) {
        String allowed =
            java.util.Arrays.stream(f.getTargetType().getEnumConstants())
                .map(c -> c.toString().toLowerCase(Locale.ROOT))
                .filter(c -> !c.equals("none"))
                .collect(Collectors.joining(", "));
        return "'"
            + path
            + "' has unsupported value '"
            + f.getValue()
            + "' (expected one of: "
            + allowed
            + ")";
      }
      return "'"
          + path
          + "' has a value of the wrong type: expected "
          + typeName(f.getTargetType())
          + ", got '"
          + f.getValue()
          + "'";
    }
    if (e instanceof ValueInstantiationException v) {
      Throwable c = v.getCause() == null ? v : v.getCause();
      String msg = firstLine(c.getMessage());
      // "database.host must not be empty" names its key already; "'' is invalid: ..." names none
      return path.isEmpty() || msg.startsWith(path + ".") || msg.startsWith("'" + path + ".")
          ? msg
          : "'" + path + "' is invalid: " + msg;
    }
    if (e.getCause() instanceof InputCoercionException ic) {
      // a number too big for its type: Jackson's message has the value but not the key
      Matcher m = NUMBER.matcher(String.valueOf(ic.getOriginalMessage()));
      return "'" + path + "' has a value out of range" + (m.find() ? ": " + m.group(1) : "");
    }
    if (e instanceof MismatchedInputException mi) {
      String msg = mi.getOriginalMessage();
      if (msg != null && msg.startsWith("Missing required creator property")) {
        Matcher m = QUOTED.matcher(msg);
        String key = m.find() ? m.group(1) : "?";
        String full =
            path.isEmpty() || path.equals(key) || path.endsWith("." + key)
                ? path
                : path + "." + key;
        return "missing required key '" + (full.isEmpty() ? key : full) + "'";
      }
      return "'"
          + path
          + "' has a value of the wrong type: expected "
          + typeName(mi.getTargetType());
    }
    return firstLine(e.getOriginalMessage());
  }

  private static String path(JsonMappingException m) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String typeName(Class<?> t) {
    if (t == null) {
      return "another type";
    }
    if (t == int.class
        || t == Integer.class
        || t == long.class
        || t == Long.class
        || t == java.math.BigInteger.class) {
      return "an integer";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(t)) {
      return "a list";
    }
    if (t.isEnum()) {
      return "one of " + java.util.Arrays.toString(t.getEnumConstants()).toLowerCase(Locale.ROOT);
    }
    return "a mapping";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid value";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
