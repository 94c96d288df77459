package io.backydb.camel;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * A CamelContext running BackyDB's backup and restore routes, as the Java API and the CLI's
 * one-shot commands use it. The routes are the YAML files of {@code routes/}, packaged into the
 * jar; the long-running service ({@code bin/backy run}) loads the same files through Camel Main.
 */
public final class BackyRuntime implements AutoCloseable {

  /** The built-in routes, on the classpath. */
  public static final List<String> BUILT_IN_ROUTES =
      List.of("classpath:routes/backup.camel.yaml", "classpath:routes/restore.camel.yaml");

  private final CamelContext context;
  private final ProducerTemplate template;

  public BackyRuntime(Environment env) {
    context = new DefaultCamelContext();
    // stream caching would copy the backup stream into memory; our steps pass streams through
    context.setStreamCaching(false);
    context.getShutdownStrategy().setTimeout(30);
    BackyProcessors.bindAll(context.getRegistry(), env);
    try {
      for (String uri : BUILT_IN_ROUTES) {
        Resource r = ResourceHelper.resolveMandatoryResource(context, uri);
        PluginHelper.getRoutesLoader(context).loadRoutes(r);
      }
      context.start();
    } catch (Exception e) {
      throw new BackyException(
          ErrorCode.FAILED, "cannot start the backup routes: " + e.getMessage(), e);
    }
    template = context.createProducerTemplate();
  }

  public CamelContext context() {
    return context;
  }

  /** Sends {@code body} to an endpoint and returns the reply, unwrapping Camel's exceptions. */
  public <T> T request(String endpoint, Object body, Class<T> type) {
    try {
      return template.requestBody(endpoint, body, type);
    } catch (org.apache.camel.CamelExecutionException e) {
      BackyException b = BackyException.find(e);
      if (b != null) {
        throw b;
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new BackyException(ErrorCode.FAILED, describe(cause), cause);
    }
  }

  /** A one-line description of an unexpected failure. */
  static String describe(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    try {
      template.close();
    } catch (Exception ignored) {
      // closing anyway
    }
    try {
      context.close();
    } catch (Exception e) {
      throw new BackyException(
          ErrorCode.FAILED, "cannot stop the backup routes: " + describe(e), e);
    }
  }
}
