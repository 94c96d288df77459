package io.backydb.camel;

import io.backydb.codec.PayloadCodecs;
import io.backydb.restore.BackupSource;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code decompress}: a {@code .backy} file names its compression in its header, and {@link
 * BackupSource} decompresses after any decryption stage; this step checks, before the long read
 * starts, that this BackyDB knows that compression. Plain SQL passes through.
 */
public final class DecompressProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupSource source = exchange.getMessage().getMandatoryBody(BackupSource.class);
    if (source.header() != null) {
      PayloadCodecs.of(source.header().compression().type(), source.location());
    }
  }
}
