package io.backydb.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code decrypt}. This version of BackyDB has no decrypt stage yet: the config check refuses
 * jobs that ask for one, so the step passes the stream through untouched.
 */
public final class DecryptProcessor implements Processor {

  @Override
  public void process(Exchange exchange) {
    // pass-through
  }
}
