package io.backydb.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The unquoted values of a config text as the user wrote them, by key path ({@code
 * database.db_name}, {@code database.tables[0]}). YAML (1.1, as SnakeYAML reads it) takes an
 * unquoted {@code no}, {@code on}, {@code null}, {@code 0123} or {@code 1e3} for a boolean, no
 * value or a number, not for the text written: once read into a tree only {@code false}, {@code
 * null} or 83 is left, and an error message saying so hid what the user wrote. Kept here to name
 * it, and to refuse an integer written in a form that YAML silently reads otherwise ({@code 010} is
 * 8).
 */
final class WrittenScalars {

  /** An integer as everyone reads it: no leading 0 (octal), no 0x, 0b or underscores. */
  private static final Pattern PLAIN_INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");

  /** The words YAML 1.1 reads as no value, as opposed to an empty value. */
  private static final java.util.Set<String> NULL_WORDS =
      java.util.Set.of("null", "Null", "NULL", "~");

  private record Scalar(JsonToken token, String text) {}

  /** Keys whose value is a section: "database must not be empty" is not about a word. */
  private static final java.util.Set<String> SECTIONS =
      java.util.Set.of(
          "database", "storage", "compression", "security", "integrity", "features", "retention");

  private final Map<String, Scalar> byPath;
  private final boolean yaml;

  private WrittenScalars(Map<String, Scalar> byPath, boolean yaml) {
    this.byPath = byPath;
    this.yaml = yaml;
  }

  /** None known: the config came as a map, not as text. */
  static final WrittenScalars NONE = new WrittenScalars(Map.of(), false);

  /** The scalars of {@code text}, which {@code mapper} has already parsed without an error. */
  static WrittenScalars of(String text, ObjectMapper mapper) {
    Map<String, Scalar> byPath = new LinkedHashMap<>();
    try (JsonParser p = mapper.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t.isScalarValue()) {
          byPath.put(pathOf(p.getParsingContext()), new Scalar(t, p.getText()));
        }
      }
    } catch (IOException e) {
      return NONE; // parsed once already: only the names in messages are lost
    }
    return new WrittenScalars(byPath, mapper.getFactory().getFormatName().equals("YAML"));
  }

  /** The dotted key path of a parser's context, as Jackson's error paths write it. */
  static String pathOf(JsonStreamContext context) {
    String path = "";
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      String part = c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName();
      path = path.isEmpty() || path.startsWith("[") ? part + path : part + "." + path;
    }
    return path;
  }

  /**
   * Refuses an integer that YAML reads as another number than a reader of the file does: {@code
   * port: 03306} was port 1734, {@code keep_last: 010} kept 8.
   */
  void refuseUnplainIntegers(String source) {
    // called once the config has bound: such an integer went into a key that takes a number
    byPath.forEach(
        (path, s) -> {
          if (s.token() == JsonToken.VALUE_NUMBER_INT
              && !PLAIN_INTEGER.matcher(s.text()).matches()) {
            throw new BackyException(
                ErrorCode.CONFIG,
                source
                    + ": '"
                    + path
                    + "' is "
                    + s.text()
                    + ", which YAML reads as "
                    + readAs(s.text())
                    + ": write it in plain decimal");
          }
        });
  }

  private static String readAs(String text) {
    String digits = text.replace("_", "");
    boolean negative = digits.startsWith("-");
    digits = digits.replaceFirst("^[-+]", "");
    String kind;
    BigInteger value;
    try {
      if (digits.startsWith("0x") || digits.startsWith("0X")) {
        kind = "the hexadecimal number ";
        value = new BigInteger(digits.substring(2), 16);
      } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
        kind = "the binary number ";
        value = new BigInteger(digits.substring(2), 2);
      } else if (digits.startsWith("0") && digits.length() > 1) {
        kind = "the octal number ";
        value = new BigInteger(digits.substring(1), 8);
      } else {
        kind = "the number ";
        value = new BigInteger(digits);
      }
    } catch (NumberFormatException e) {
      return "a number";
    }
    return kind + (negative ? value.negate() : value);
  }

  /**
   * Why the value at {@code path}, where text is expected, is not text; null if it is not known.
   * {@code read} is how it was read ({@code false}, {@code 83}).
   */
  String notText(String path, Object read) {
    return notText(path, read, null);
  }

  /**
   * Why the value at {@code path}, where one of the words {@code choices} is expected ({@code
   * "keep, drop, rewrite"}), is not text; null if it is not known. Quotes would not make such a
   * word one of the choices ({@code tls: on}), so the message lists them instead of saying to quote
   * it. With {@code choices} null, as {@link #notText(String, Object)}.
   */
  String notText(String path, Object read, String choices) {
    Scalar s = byPath.get(path);
    if (s == null) {
      return null;
    }
    String as =
        switch (s.token()) {
          case VALUE_TRUE, VALUE_FALSE ->
              s.text().equalsIgnoreCase(s.token().asString())
                  ? "a boolean"
                  : "the boolean " + s.token().asString();
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
              read == null || String.valueOf(read).equals(s.text())
                  ? "a number"
                  : "the number " + read;
          default -> null;
        };
    if (as == null) {
      return null;
    }
    if (choices != null) {
      return "'"
          + path
          + "' must be one of "
          + choices
          + ", but the unquoted "
          + s.text()
          + " is read as "
          + as;
    }
    return "'"
        + path
        + "' must be text, but the unquoted "
        + s.text()
        + " is read as "
        + as
        + ": write it in quotes (\""
        + s.text()
        + "\")";
  }

  /**
   * What to add to {@code message} if it is about a key the user set to a word YAML reads as no
   * value ({@code user: null}): the message ("must not be empty") does not say why; empty if none.
   */
  String nullWordHint(String message) {
    if (!yaml) {
      return ""; // JSON's null is no value, and says so
    }
    for (Map.Entry<String, Scalar> e : byPath.entrySet()) {
      Scalar s = e.getValue();
      String key = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
      if (s.token() == JsonToken.VALUE_NULL
          && !SECTIONS.contains(key)
          && NULL_WORDS.contains(s.text())
          && Pattern.compile("(^|[ '])" + Pattern.quote(e.getKey()) + "($|[ '])")
              .matcher(message)
              .find()) {
        return " (the unquoted "
            + s.text()
            + " is read as no value: write it in quotes, \""
            + s.text()
            + "\", if it is text)";
      }
    }
    return "";
  }
}
