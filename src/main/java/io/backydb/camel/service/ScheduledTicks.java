package io.backydb.camel.service;

import java.time.Instant;
import java.util.Date;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of the scheduled-backup template: skips a Quartz tick when a later tick of the
 * same schedule is already due, so that a backup that ran past several ticks is followed by one
 * catch-up backup, not by one per tick.
 *
 * <p>With {@code stateful=true} Quartz blocks a schedule's trigger while its job runs and then
 * fires, one after the other, every tick that came due meanwhile (those less than its misfire
 * threshold, 60 s, late). Each fire advances the trigger by one tick, so a fire whose next fire
 * time (the {@code nextFireTime} header) is not in the future is one of those, and not the last: it
 * is skipped, and the next one follows at once. The last tick that came due runs the backup.
 * Nothing is recorded in the history for a skipped tick (no backup ran); it is logged at INFO.
 */
public final class ScheduledTicks implements Processor {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduledTicks.class);

  /** The bean name the template refers to. */
  public static final String NAME = "scheduledTicks";

  /** The quartz header with the time the trigger fires next. */
  static final String NEXT_FIRE_TIME = "nextFireTime";

  @Override
  public void process(Exchange exchange) {
    Object next = exchange.getMessage().getHeader(NEXT_FIRE_TIME);
    if (!(next instanceof Date d) || d.toInstant().isAfter(Instant.now())) {
      return; // the latest tick due (or not a quartz tick): run
    }
    Object scheduled = exchange.getMessage().getHeader(RunRecorder.SCHEDULED_FIRE_TIME);
    LOG.info(
        "schedule {}: skipped the tick of {}: a later tick ({}) is already due and runs instead",
        exchange.getFromRouteId(),
        scheduled instanceof Date s ? s.toInstant() : "?",
        d.toInstant());
    exchange.setRouteStop(true);
  }
}
