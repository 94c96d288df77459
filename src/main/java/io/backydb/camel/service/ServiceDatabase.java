package io.backydb.camel.service;

import com.mchange.v2.c3p0.ComboPooledDataSource;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.beans.PropertyVetoException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The service database of {@code bin/backy run} ({@code backy.database.url}): run history, the
 * clustered Quartz job store, and the {@code backyDataSource} bean for {@code jdbc:} steps.
 */
public final class ServiceDatabase implements AutoCloseable {

  private final ComboPooledDataSource ds;
  private final String where;

  private ServiceDatabase(ComboPooledDataSource ds, String where) {
    this.ds = ds;
    this.where = where;
  }

  /** A pooled DataSource for the configured URL; checks that it answers. */
  public static ServiceDatabase open(ServiceSettings s) {
    String url = s.databaseUrl().orElseThrow();
    ComboPooledDataSource ds = new ComboPooledDataSource();
    try {
      ds.setDriverClass("com.mysql.cj.jdbc.Driver");
    } catch (PropertyVetoException e) {
      throw new IllegalStateException(e);
    }
    ds.setJdbcUrl(url);
    ds.setUser(s.databaseUser());
    ds.setPassword(s.databasePassword());
    ds.setMaxPoolSize(5);
    ds.setAcquireRetryAttempts(1);
    ServiceDatabase db = new ServiceDatabase(ds, redact(url));
    try (Connection c = ds.getConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      db.close();
      throw new BackyException(
          ErrorCode.DATABASE,
          "cannot connect to the service database "
              + db.where
              + " ("
              + ServiceSettings.DATABASE_URL
              + "): "
              + e.getMessage(),
          e);
    }
    return db;
  }

  public DataSource dataSource() {
    return ds;
  }

  /** The URL without credentials, for messages. */
  public String where() {
    return where;
  }

  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }

  @Override
  public void close() {
    ds.close();
  }
}
