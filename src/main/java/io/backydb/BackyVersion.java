package io.backydb;

/** The tool's name and version, as recorded in metadata and printed by {@code --version}. */
public final class BackyVersion {

  public static final String NAME = "BackyDB";

  private BackyVersion() {}

  public static String version() {
    String v = BackyVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
