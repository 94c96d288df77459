package io.backydb.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code decompress}. This version of BackyDB has no decompress stage yet: the config check
 * refuses jobs that ask for one, so the step passes the stream through untouched.
 */
public final class DecompressProcessor implements Processor {

  @Override
  public void process(Exchange exchange) {
    // pass-through
  }
}
