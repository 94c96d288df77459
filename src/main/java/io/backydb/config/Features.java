package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which parts of a database a backup holds (or a restore applies): the seed's {@code
 * database.features}. A key left out is off, except that leaving the whole section out selects the
 * default: tables and data. A config whose section selects nothing is refused ({@link
 * DatabaseConfig}).
 */
public record Features(
    boolean tables,
    boolean data,
    boolean views,
    boolean functions,
    boolean procedures,
    boolean triggers,
    boolean events) {

  /** The seed's default: tables and data only. */
  public static final Features DEFAULT =
      new Features(true, true, false, false, false, false, false);

  /** Every feature on. */
  public static final Features ALL = new Features(true, true, true, true, true, true, true);

  @JsonCreator
  static Features fromJson(
      @JsonProperty("tables") Boolean tables,
      @JsonProperty("data") Boolean data,
      @JsonProperty("views") Boolean views,
      @JsonProperty("functions") Boolean functions,
      @JsonProperty("procedures") Boolean procedures,
      @JsonProperty("triggers") Boolean triggers,
      @JsonProperty("events") Boolean events) {
    return new Features(
        on(tables), on(data), on(views), on(functions), on(procedures), on(triggers), on(events));
  }

  private static boolean on(Boolean b) {
    return b != null && b;
  }

  /** Parses a comma-separated list such as {@code tables,data,views} (the CLI's --features). */
  public static Features parse(String csv) {
    List<String> names = new ArrayList<>();
    for (String s : csv.split(",", -1)) {
      if (!s.isBlank()) {
        names.add(s.trim().toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (names.isEmpty()) {
      // an empty list would select nothing: a restore that applies nothing and says it succeeded
      throw new IllegalArgumentException(
          "names no feature (expected some of " + String.join(",", Feature.NAMES) + ")");
    }
    for (String n : names) {
      if (!Feature.NAMES.contains(n)) {
        throw new IllegalArgumentException(
            "unknown feature '"
                + n
                + "' (expected some of "
                + String.join(",", Feature.NAMES)
                + ")");
      }
    }
    return new Features(
        names.contains("tables"),
        names.contains("data"),
        names.contains("views"),
        names.contains("functions"),
        names.contains("procedures"),
        names.contains("triggers"),
        names.contains("events"));
  }

  public boolean has(Feature f) {
    return switch (f) {
      case TABLES -> tables;
      case DATA -> data;
      case VIEWS -> views;
      case FUNCTIONS -> functions;
      case PROCEDURES -> procedures;
      case TRIGGERS -> triggers;
      case EVENTS -> events;
    };
  }

  /** The selected features, in the order a restore applies them. */
  public List<Feature> selected() {
    List<Feature> out = new ArrayList<>();
    for (Feature f : Feature.RESTORE_ORDER) {
      if (has(f)) {
        out.add(f);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Features selected both here and in {@code other}. */
  public Features intersect(Features other) {
    return new Features(
        tables && other.tables,
        data && other.data,
        views && other.views,
        functions && other.functions,
        procedures && other.procedures,
        triggers && other.triggers,
        events && other.events);
  }

  public boolean none() {
    return selected().isEmpty();
  }
}
