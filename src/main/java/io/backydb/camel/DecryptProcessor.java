package io.backydb.camel;

import io.backydb.keys.DataKey;
import io.backydb.restore.BackupDecryption;
import io.backydb.restore.BackupSource;
import io.backydb.restore.RestoreJob;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code decrypt}: for an encrypted {@code .backy} backup, unwraps its data key with the key
 * provider its header names (built from the environment; no backup config needed) and sets up the
 * payload's decryption on the {@link BackupSource}. Nothing is read yet: {@code verify} reads the
 * whole payload decrypted before any statement runs. Anything else passes through. The data key is
 * overwritten when the exchange is over, restored or failed.
 */
public final class DecryptProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    RestoreJob job = exchange.getProperty(BackyExchange.RESTORE_JOB, RestoreJob.class);
    DataKey dataKey =
        BackupDecryption.setUp(
            exchange.getMessage().getMandatoryBody(BackupSource.class), job.environment());
    if (dataKey != null) {
      job.dataKey(dataKey);
      // verify and apply decrypt with it; overwritten when the restore is over, however it ends
      BackyExchange.onDone(exchange, dataKey::close);
    }
  }
}
