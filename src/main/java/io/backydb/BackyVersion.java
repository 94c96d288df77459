package io.backydb;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The tool's name and version, as recorded in metadata and printed by {@code --version}. */
public final class BackyVersion {

  public static final String NAME = "BackyDB";

  private BackyVersion() {}

  private static final String VERSION = read();

  /** The build's version, as Maven wrote it into {@code version.properties}; "dev" without one. */
  public static String version() {
    return VERSION;
  }

  private static String read() {
    // the jar's manifest has no Implementation-Version: every build said "dev"
    try (InputStream in = BackyVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "").strip();
      // not filtered (an IDE's build that copies resources as they are)
      return v.isEmpty() || v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
