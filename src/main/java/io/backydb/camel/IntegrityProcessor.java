package io.backydb.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code integrity}. This version of BackyDB has no integrity stage yet: the config check
 * refuses jobs that ask for one, so the step passes the stream through untouched.
 */
public final class IntegrityProcessor implements Processor {

  @Override
  public void process(Exchange exchange) {
    // pass-through
  }
}
