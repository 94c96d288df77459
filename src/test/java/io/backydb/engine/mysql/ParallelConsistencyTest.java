package io.backydb.engine.mysql;

import static io.backydb.engine.mysql.EngineFixture.config;
import static io.backydb.engine.mysql.EngineFixture.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.config.Features;
import io.backydb.testing.MoneyTransfers;
import io.backydb.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dump on three connections, the account tables cut into primary-key ranges read by different
 * connections, taken while other sessions keep moving money between the two account tables: the
 * restored copy has not lost or made a cent, and holds exactly the moves of its ledger. Were the
 * connections' snapshots taken at different moments, ranges would mix balances from before and
 * after some moves.
 */
class ParallelConsistencyTest {

  static final int ACCOUNTS = 3000;
  static final int FILLER_ROWS = 40_000;
  static final long CHUNK = 64 << 10;

  String source;
  String target;
  MoneyTransfers bank;

  @BeforeEach
  void setUp() throws Exception {
    source = TestServer.uniqueName("pcons_src");
    target = TestServer.uniqueName("pcons_dst");
    // padded accounts: each account table is a few hundred KiB, so the tiny chunk cuts it
    bank = new MoneyTransfers(source, ACCOUNTS, FILLER_ROWS);
    bank.create(true);
    EngineFixture.analyze(source, "a_accounts", "b_filler", "c_accounts");
  }

  @AfterEach
  void tearDown() throws Exception {
    server.dropDatabase(source);
    server.dropDatabase(target);
  }

  @Test
  void aDumpOnSeveralConnectionsUnderConcurrentTransfersIsOnePointInTime() throws Exception {
    Map<String, List<String>> plan =
        EngineFixture.plan(source, Set.of("a_accounts", "b_filler", "c_accounts"), CHUNK);
    assertThat(plan).containsKeys("a_accounts", "c_accounts");
    assertThat(plan.get("a_accounts")).as("ranges of a_accounts").hasSizeGreaterThan(3);
    assertThat(plan.get("c_accounts")).as("ranges of c_accounts").hasSizeGreaterThan(3);

    MoneyTransfers.Window<Map<String, byte[]>> dump =
        bank.during(() -> EngineFixture.dump(config(source, 3), "", Features.DEFAULT, CHUNK));

    EngineFixture.apply(config(target, 3), dump.result());
    bank.assertOnePointInTime(target, dump);
  }
}
