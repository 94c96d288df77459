package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backydb.UserWarnings;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The look-up of a backup's engines on the real server, with several engines it lacks: no valid
 * backup made here can name an engine this MariaDB never had (it creates a table of CONNECT in
 * InnoDB), so the contents the verify pass would have read are given. {@code RestoreCliTest} warns
 * of a real backup's ARCHIVE tables, restored once the plugin is gone.
 */
class MissingEnginesTest {

  private final MySqlConnections connections =
      new MySqlConnections(EngineFixture.config("h5_engines_none", 1), "");

  private static final Map<String, String> ENGINES =
      Map.of(
          "ext_orders", "CONNECT",
          "ext_items", "CONNECT",
          "rocks", "ROCKSDB",
          "left_out", "TOKUDB",
          "plain", "InnoDB",
          "aria", "aria");

  private record Warned(List<String> summary, List<ILoggingEvent> log) {}

  private Warned warn(List<String> tables) throws Exception {
    DumpContents contents =
        new DumpContents(
            Set.of(Feature.TABLES),
            Map.of(Feature.TABLES, ENGINES.keySet()),
            Map.of(),
            Set.of(Feature.TABLES),
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of(),
            ENGINES,
            Map.of(),
            Set.of(),
            Map.of());
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(MissingEngines.class);
    logger.addAppender(log);
    try (Connection c = connections.open()) {
      List<String> summary =
          MissingEngines.warn(c, new ApplyRequest(null, tables, false).withContents(contents));
      return new Warned(summary, log.list);
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void theTablesOfEnginesTheServerLacksAreNamedInOneStderrWarning() throws Exception {
    String instead = EngineFixture.server.rows(null, "SELECT @@default_storage_engine").get(0);
    Warned w = warn(List.of("ext_orders", "ext_items", "rocks", "plain", "aria"));
    assertThat(w.log()).hasSize(1);
    assertThat(w.log().get(0).getMarkerList()).contains(UserWarnings.STDERR);
    assertThat(w.log().get(0).getFormattedMessage())
        .isEqualTo(
            "the target server lacks the CONNECT and ROCKSDB engines; tables created in "
                + instead
                + " instead: `ext_items` (CONNECT), `ext_orders` (CONNECT), `rocks` (ROCKSDB)");
    assertThat(w.summary())
        .containsExactly(
            "`ext_items` (CONNECT as " + instead + ")",
            "`ext_orders` (CONNECT as " + instead + ")",
            "`rocks` (ROCKSDB as " + instead + ")");
  }

  @Test
  void enginesTheServerHasAndTablesTheRestoreDoesNotCreateAreNotWarnedOf() throws Exception {
    Warned w = warn(List.of("plain", "aria"));
    assertThat(w.log()).isEmpty();
    assertThat(w.summary()).isEmpty();
  }
}
