package io.backydb.camel;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.BackupConfig;
import io.backydb.config.ConfigLoader;
import io.backydb.config.RestoreConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a route accepts as its body to describe a job: a typed config, a map (the seed's
 * Python-style dictionary), a config file ({@link Path}, {@link File}, or a string ending in
 * .json/.yaml/.yml), or the config text itself (JSON or YAML, e.g. a message from a queue).
 */
public final class ConfigBodies {

  private ConfigBodies() {}

  static BackupConfig backup(Object body) {
    if (body instanceof BackupConfig c) {
      return c;
    }
    if (body instanceof Map<?, ?> m) {
      return ConfigLoader.backupFromMap(stringKeys(m));
    }
    Path file = asFile(body);
    if (file != null) {
      return ConfigLoader.backupFromFile(file);
    }
    if (body instanceof String s) {
      return ConfigLoader.backupFromText(s);
    }
    throw unsupported(body);
  }

  static RestoreConfig restore(Object body) {
    if (body instanceof RestoreConfig c) {
      return c;
    }
    if (body instanceof Map<?, ?> m) {
      return ConfigLoader.restoreFromMap(stringKeys(m));
    }
    Path file = asFile(body);
    if (file != null) {
      return ConfigLoader.restoreFromFile(file);
    }
    if (body instanceof String s) {
      return ConfigLoader.restoreFromText(s);
    }
    throw unsupported(body);
  }

  private static Path asFile(Object body) {
    if (body instanceof Path p) {
      return p;
    }
    if (body instanceof File f) {
      return f.toPath();
    }
    if (body instanceof String s) {
      return fileNamedBy(s);
    }
    return null;
  }

  /**
   * The config file a text body names (one line ending in {@code .json}, {@code .yaml} or {@code
   * .yml}), or null for a body that is the config itself.
   */
  public static Path fileNamedBy(String body) {
    String t = body.strip();
    if (!t.contains("\n") && (t.endsWith(".json") || t.endsWith(".yaml") || t.endsWith(".yml"))) {
      return Path.of(t);
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> stringKeys(Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new BackyException(ErrorCode.CONFIG, "config keys must be strings, found " + k);
      }
    }
    return (Map<String, ?>) m;
  }

  private static BackyException unsupported(Object body) {
    return new BackyException(
        ErrorCode.CONFIG,
        "cannot read a config from a message body of type "
            + (body == null ? "null" : body.getClass().getName()));
  }
}
