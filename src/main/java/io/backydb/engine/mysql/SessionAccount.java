package io.backydb.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The account a connection's session runs as, and what it may do: the checks of a backup's and a
 * restore's privileges ({@link BackupPrivileges}, {@link RestorePrivileges}) start from it.
 *
 * @param name the account as the server matched it ({@code CURRENT_USER()}, e.g. {@code app@%})
 * @param roles the session's active roles as {@code CURRENT_ROLE()} gives them (null or {@code
 *     NONE} for none)
 * @param mariaDb whether the server is MariaDB (else MySQL)
 * @param grants the account's grants, its active roles' included
 */
record SessionAccount(String name, String roles, boolean mariaDb, AccountGrants grants) {

  static SessionAccount of(Connection c) throws SQLException {
    String name;
    String roles;
    boolean mariaDb;
    boolean ignoreCase;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT CURRENT_USER(), CURRENT_ROLE(), VERSION(), @@lower_case_table_names")) {
      rs.next();
      name = rs.getString(1);
      roles = rs.getString(2);
      mariaDb = rs.getString(3).contains("MariaDB");
      ignoreCase = rs.getInt(4) != 0;
    }
    return new SessionAccount(
        name, roles, mariaDb, AccountGrants.read(c, mariaDb, roles, ignoreCase));
  }
}
