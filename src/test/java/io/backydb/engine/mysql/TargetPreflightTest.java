package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.Feature;
import io.backydb.engine.DatabaseEngine.ApplyRequest;
import io.backydb.engine.DumpContents;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The look-up of a backup's character sets and collations on the real server: no valid backup made
 * here can name one this MariaDB lacks (a MySQL 8 dump's {@code utf8mb4_0900_ai_ci}), so the
 * contents the verify pass would have read are given.
 */
class TargetPreflightTest {

  private final MySqlConnections connections =
      new MySqlConnections(EngineFixture.config("h2_preflight_none", 1), "");

  private static DumpContents naming(String table, Set<String> charsets, Set<String> collations) {
    return new DumpContents(
        Set.of(Feature.TABLES),
        Map.of(Feature.TABLES, Set.of(table)),
        Map.of(),
        Set.of(Feature.TABLES),
        Map.of(),
        Map.of(),
        Map.of(Feature.TABLES, Map.of(table, charsets)),
        Map.of(Feature.TABLES, Map.of(table, collations)),
        Map.of(),
        Map.of(),
        Map.of(),
        Set.of(),
        Map.of());
  }

  private void check(DumpContents contents, List<String> tables) throws Exception {
    try (Connection c = connections.open()) {
      TargetPreflight.check(
          c, connections, new ApplyRequest(null, tables, false).withContents(contents));
    }
  }

  @Test
  void aCollationAndCharacterSetTheServerDoesNotKnowAreRefused() {
    DumpContents mysql8 =
        naming("t", Set.of("utf8mb4", "utf16x"), Set.of("utf8mb4_0900_ai_ci", "utf8mb4_bin"));
    assertThatThrownBy(() -> check(mysql8, List.of()))
        .isInstanceOf(BackyException.class)
        .hasMessage(
            "the backup's definitions use character set utf16x, collation utf8mb4_0900_ai_ci,"
                + " which the target server "
                + server.host()
                + ":"
                + server.port()
                + " does not know (a backup of another server version or kind): restore into a"
                + " server that has them, or back the source up after converting its tables and"
                + " routines to a character set and collation both servers have; nothing was"
                + " applied");
  }

  @Test
  void namesTheServerKnowsPassAliasesItDoesNotListIncludedAndTablesLeftOutAreNotAsked() {
    // utf8 is MariaDB's alias of utf8mb3, which information_schema lists under that name only
    assertThatCode(
            () ->
                check(
                    naming("t", Set.of("utf8", "latin1"), Set.of("utf8_general_ci", "latin1_bin")),
                    List.of()))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> check(naming("t", Set.of("utf8mb4"), Set.of("utf8mb4_0900_ai_ci")), List.of("u")))
        .doesNotThrowAnyException();
  }
}
