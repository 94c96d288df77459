package io.backydb.camel.service;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz settings for a cluster of {@code bin/backy run} nodes: a JDBC job store on the service
 * database with {@code isClustered=true}, so every trigger fires on exactly one node and the
 * triggers of a node that stops checking in are recovered by the others. Creates Quartz's tables
 * (from {@code tables_mysql_innodb.sql} in the Quartz jar) when they are missing.
 */
public final class QuartzCluster {

  private static final Logger LOG = LoggerFactory.getLogger(QuartzCluster.class);

  /** The scheduler name every node of a cluster shares (Quartz's SCHED_NAME column). */
  public static final String SCHEDULER_NAME = "BackyDB";

  static final String SCRIPT = "org/quartz/impl/jdbcjobstore/tables_mysql_innodb.sql";

  private QuartzCluster() {}

  public static Properties properties(ServiceSettings s) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
    p.setProperty("org.quartz.scheduler.instanceId", s.instanceId());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", "5");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval", Long.toString(s.clusterCheckinMs()));
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    p.setProperty("org.quartz.jobStore.dataSource", "backy");
    p.setProperty("org.quartz.dataSource.backy.driver", "com.mysql.cj.jdbc.Driver");
    p.setProperty("org.quartz.dataSource.backy.URL", s.databaseUrl().orElseThrow());
    p.setProperty("org.quartz.dataSource.backy.user", s.databaseUser());
    p.setProperty("org.quartz.dataSource.backy.password", s.databasePassword());
    p.setProperty("org.quartz.dataSource.backy.maxConnections", "8");
    return p;
  }

  /** Creates the QRTZ_ tables unless they exist; safe when several nodes start at once. */
  public static void createTables(DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      try {
        s.executeQuery("SELECT 1 FROM QRTZ_LOCKS LIMIT 1").close();
        return;
      } catch (SQLException missing) {
        LOG.info("creating the Quartz job store tables");
      }
      for (String sql : statements()) {
        try {
          s.execute(sql);
        } catch (SQLException e) {
          // 1050: table exists, 1061: index exists (another node created them first)
          if (e.getErrorCode() != 1050 && e.getErrorCode() != 1061) {
            throw e;
          }
        }
      }
    } catch (SQLException e) {
      throw new BackyException(
          ErrorCode.DATABASE, "cannot create the Quartz job store tables: " + e.getMessage(), e);
    }
  }

  static List<String> statements() {
    String script;
    try (InputStream in = QuartzCluster.class.getClassLoader().getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the Quartz jar");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // Quartz's own script, split by the splitter restores use (comments, quotes, delimiters)
    List<String> out = new ArrayList<>();
    try {
      io.backydb.engine.sql.SqlSplitter.split(
          new java.io.StringReader(script),
          (sql, line) -> {
            String t = sql.strip();
            if (!t.toUpperCase(java.util.Locale.ROOT).startsWith("DROP ")
                && !t.equalsIgnoreCase("commit")) {
              out.add(t);
            }
          });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
