package io.backydb.camel;

import io.backydb.restore.BackupSource;
import io.backydb.restore.BackupVerifier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code verify}: reads the whole backup and checks it before a single statement reaches the
 * database; a damaged backup stops the route here.
 */
public final class VerifyProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    new BackupVerifier().requireIntact(exchange.getMessage().getMandatoryBody(BackupSource.class));
  }
}
