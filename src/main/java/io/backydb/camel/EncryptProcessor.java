package io.backydb.camel;

import io.backydb.backup.BackupEncryption;
import io.backydb.backup.BackupJob;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code encrypt}: with {@code security.encryption}, a fresh data key from the config's key
 * provider encrypts the (compressed) payload on a thread of its own; the wrapped data key goes into
 * the {@code .backy} header (see {@link BackupEncryption}). Otherwise the stream passes through.
 */
public final class EncryptProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    if (!job.config().security().encryption()) {
      return;
    }
    InputStream payload = exchange.getMessage().getMandatoryBody(InputStream.class);
    exchange.getMessage().setBody(job.stage(BackupEncryption.encrypt(job, payload)));
  }
}
