package io.backydb.testing;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Users and roles a test creates on the test server, dropped again when it closes. */
public final class TestAccounts implements AutoCloseable {

  private final TestServer server;
  private final List<String> accounts = new ArrayList<>();

  public TestAccounts(TestServer server) {
    this.server = server;
  }

  /** Creates a user or role ({@code USER 'u'@'%'}, {@code ROLE r}), dropped at {@link #close}. */
  public void create(String what) throws SQLException {
    server.execute(null, "CREATE " + what);
    accounts.add(what);
  }

  @Override
  public void close() throws SQLException {
    for (String a : accounts) {
      server.execute(
          null,
          "DROP " + a.replace("USER ", "USER IF EXISTS ").replace("ROLE ", "ROLE IF EXISTS "));
    }
    accounts.clear();
  }
}
