package io.backydb.format;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and writes {@link BackupMetadata} as JSON. Unknown keys (from newer versions) are kept out
 * quietly.
 */
public final class MetadataJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private MetadataJson() {}

  public static byte[] write(BackupMetadata m) {
    try {
      return MAPPER.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("metadata cannot be serialised", e);
    }
  }

  public static BackupMetadata read(InputStream in, String where) {
    try {
      BackupMetadata m = MAPPER.readValue(in, BackupMetadata.class);
      if (m.metadataVersion() > BackupMetadata.VERSION) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            where
                + " was written by a newer BackyDB (metadata version "
                + m.metadataVersion()
                + "); upgrade BackyDB");
      }
      return m;
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where + " is not valid backup metadata: " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
