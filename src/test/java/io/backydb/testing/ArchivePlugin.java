package io.backydb.testing;

import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;

/**
 * MariaDB's ARCHIVE engine, a plugin Debian's server ships without installing it: how a test gets a
 * real backup of tables in an engine the restore's target then lacks. The test installs it, backs
 * up tables of it, drops them and uninstalls it (the server now lacks the engine, as one without
 * the plugin does), restores, and at the end leaves the plugin as it found it. A server without the
 * plugin's library (the embedded MariaDB the tests start when none answers ships no plugins) has
 * the test reported as skipped, not passed.
 */
public final class ArchivePlugin {

  private final TestServer server;
  private final boolean hadIt;

  private ArchivePlugin(TestServer server) throws SQLException {
    this.server = server;
    this.hadIt = installed();
  }

  /** Installs the plugin where it is not installed; skips the test where it cannot be. */
  public static ArchivePlugin installed(TestServer server) throws SQLException {
    Assumptions.assumeFalse(
        server
            .rows(
                null, "SELECT 1 FROM information_schema.ALL_PLUGINS WHERE PLUGIN_NAME = 'ARCHIVE'")
            .isEmpty(),
        "the server has no ARCHIVE plugin library (ha_archive) to install");
    ArchivePlugin plugin = new ArchivePlugin(server);
    plugin.install();
    return plugin;
  }

  /** Whether the server has the ARCHIVE engine. */
  public boolean installed() throws SQLException {
    return !server
        .rows(
            null,
            "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE = 'ARCHIVE'"
                + " AND SUPPORT IN ('YES', 'DEFAULT')")
        .isEmpty();
  }

  public void install() throws SQLException {
    if (!installed()) {
      server.execute(null, "INSTALL SONAME 'ha_archive'");
    }
  }

  /** Uninstalls it: drop the tables of it first, as a table of an uninstalled engine is unread. */
  public void uninstall() throws SQLException {
    if (installed()) {
      server.execute(null, "UNINSTALL SONAME 'ha_archive'");
    }
  }

  /**
   * Installs or uninstalls it as the test found it; drop the databases holding its tables first.
   */
  public void leaveAsFound() throws SQLException {
    if (hadIt) {
      install();
    } else {
      uninstall();
    }
  }
}
