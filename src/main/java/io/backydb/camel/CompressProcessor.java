package io.backydb.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code compress}. This version of BackyDB has no compress stage yet: the config check
 * refuses jobs that ask for one, so the step passes the stream through untouched.
 */
public final class CompressProcessor implements Processor {

  @Override
  public void process(Exchange exchange) {
    // pass-through
  }
}
