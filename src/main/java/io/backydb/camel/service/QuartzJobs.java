package io.backydb.camel.service;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzConsumer;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.component.quartz.QuartzHelper;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz jobs that the routes of the routes folder consume from (schedules are {@code quartz:}
 * routes): which job a URI stands for, and putting back a running route's job that something else
 * deleted or paused.
 *
 * <p>camel-quartz can lose a running route's job in two races, both seen with schedules that fire
 * every second: a job that fires while its route is being removed or added finds no route for it,
 * so camel-quartz creates an endpoint of the job's URI of its own. If that endpoint fails to start
 * (the route appeared meanwhile), stopping it deletes the job; if it starts, it takes the job as
 * its own, the old route's removal deletes the job, and a route added again with the same URI (a
 * renamed file) shares that endpoint, which still believes its job is scheduled. Either way the
 * route runs and never fires. {@link #keepScheduled} finds and mends such routes.
 */
final class QuartzJobs {

  private static final Logger LOG = LoggerFactory.getLogger(QuartzJobs.class);

  private final CamelContext context;

  QuartzJobs(CamelContext context) {
    this.context = context;
  }

  /**
   * The Quartz trigger (and job) key a {@code quartz:} consumer URI stands for, as camel-quartz
   * makes it: {@code quartz:group/name}, or {@code quartz:name} in the context's default group;
   * null for another component, or when the component prefixes job names with endpoint ids (each
   * endpoint's key is then its own).
   */
  TriggerKey keyOf(String uri) {
    if (!uri.startsWith("quartz:")) {
      return null;
    }
    // hasComponent: getComponent would create (and start) one
    if (context.hasComponent("quartz") instanceof QuartzComponent c
        && c.isPrefixJobNameWithEndpointId()) {
      return null;
    }
    String remaining = uri.substring("quartz:".length());
    if (remaining.startsWith("//")) {
      remaining = remaining.substring(2);
    }
    int query = remaining.indexOf('?');
    if (query >= 0) {
      remaining = remaining.substring(0, query);
    }
    int slash = remaining.indexOf('/');
    if (slash > 0 && slash < remaining.length() - 1) {
      return new TriggerKey(
          decode(remaining.substring(slash + 1)), decode(remaining.substring(0, slash)));
    }
    String name = slash > 0 ? remaining.substring(0, slash) : remaining;
    String ctx = QuartzHelper.getQuartzContextName(context);
    return new TriggerKey(decode(name), ctx == null ? "Camel" : "Camel_" + ctx);
  }

  private static String decode(String part) {
    try {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return part;
    }
  }

  /**
   * Puts back the job of a running {@code quartz:} route if it is gone or paused, and binds it to
   * the route. {@code why} says, in the warning, what is known to have done it.
   */
  static void restore(Route r, String why) throws Exception {
    QuartzEndpoint q = (QuartzEndpoint) r.getEndpoint();
    Scheduler scheduler = q.getComponent().getScheduler();
    if (scheduler == null || scheduler.isShutdown()) {
      return;
    }
    if (scheduler.getTrigger(q.getTriggerKey()) == null) {
      q.stop(); // forgets the job it had added, so that starting adds it again
      q.start();
      LOG.warn(
          "quartz job {} of route {} was deleted ({}): added again",
          q.getTriggerKey(),
          r.getRouteId(),
          why);
    }
    if (r.getConsumer() instanceof QuartzConsumer consumer) {
      q.onConsumerStart(consumer); // binds the job to this route again (a shared endpoint)
    }
    if (scheduler.getTriggerState(q.getTriggerKey()) == Trigger.TriggerState.PAUSED) {
      scheduler.resumeTrigger(q.getTriggerKey());
      LOG.warn(
          "quartz job {} of route {} was paused ({}): resumed",
          q.getTriggerKey(),
          r.getRouteId(),
          why);
    }
  }

  /**
   * Mends a started cron route whose job is gone or paused (see the class comment). Cron jobs only:
   * a simple trigger's job ends by itself once it has fired its count, and must stay ended. The
   * caller makes sure the route is not being added or removed meanwhile.
   */
  static void keepScheduled(Route r) {
    if (!(r.getEndpoint() instanceof QuartzEndpoint q)
        || q.getCron() == null
        || q.getTriggerKey() == null) {
      return;
    }
    try {
      Scheduler scheduler = q.getComponent().getScheduler();
      if (scheduler == null || !scheduler.isStarted() || scheduler.isShutdown()) {
        return;
      }
      Trigger.TriggerState state = scheduler.getTriggerState(q.getTriggerKey());
      if (state == Trigger.TriggerState.NONE || state == Trigger.TriggerState.PAUSED) {
        restore(r, "in a race between its firing and a reload of its route");
      }
    } catch (SchedulerException e) {
      LOG.warn("cannot check the quartz job of route {}: {}", r.getRouteId(), e.getMessage());
    } catch (Exception e) {
      LOG.warn("cannot put back the quartz job of route {}: {}", r.getRouteId(), e.getMessage());
    }
  }
}
