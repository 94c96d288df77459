package io.backydb.camel;

import io.backydb.backup.BackupJob;
import io.backydb.codec.PayloadCodec;
import io.backydb.codec.PayloadCodecs;
import io.backydb.format.BackyHeader;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step {@code compress}: for a {@code .backy} backup, records the compression in the header and
 * turns the bundle stream into the compressed payload, on a thread of its own. Plain SQL backups
 * (and an encrypted backup without compression) pass through untouched.
 */
public final class CompressProcessor implements Processor {

  @Override
  public void process(Exchange exchange) throws Exception {
    BackupJob job = exchange.getProperty(BackyExchange.BACKUP_JOB, BackupJob.class);
    if (job.config().isRawSql()) {
      return;
    }
    var config = job.config().compression();
    PayloadCodec codec = PayloadCodecs.of(config.type());
    Integer level = codec.level(config.level());
    job.header().compression(new BackyHeader.Compression(codec.type(), level));
    if (config.compression()) {
      InputStream bundle = exchange.getMessage().getMandatoryBody(InputStream.class);
      exchange.getMessage().setBody(job.stage(PayloadCodecs.compress(codec, level, bundle)));
    }
  }
}
