package io.backydb.config;

import java.util.List;
import java.util.Locale;

/** One selectable part of a database backup. */
public enum Feature {
  TABLES,
  DATA,
  VIEWS,
  FUNCTIONS,
  PROCEDURES,
  TRIGGERS,
  EVENTS;

  /**
   * The order in which a restore applies features, and in which a dump writes them: functions
   * before the views that may call them, data before triggers (a trigger such as Sakila's {@code
   * ins_film} would otherwise fire on every restored row), events last so none fires half-way.
   */
  public static final List<Feature> RESTORE_ORDER =
      List.of(TABLES, FUNCTIONS, PROCEDURES, VIEWS, DATA, TRIGGERS, EVENTS);

  static final List<String> NAMES = RESTORE_ORDER.stream().map(Feature::key).toList();

  /** The key used in config files and file names: {@code tables}, {@code data}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Feature ofKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
