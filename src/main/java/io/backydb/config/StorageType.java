package io.backydb.config;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.Locale;

/**
 * Where backups are kept: a local folder, or an S3 bucket ({@code aws}, also spelled {@code s3}).
 */
@JsonDeserialize(using = StorageType.Deserializer.class)
public enum StorageType {
  LOCAL,
  AWS;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type for a config value, case-insensitively; {@code s3} means {@code aws}. */
  public static StorageType ofKey(String key) {
    String k = key.trim().toUpperCase(Locale.ROOT);
    return k.equals("S3") ? AWS : valueOf(k);
  }

  /** Reads {@code storage_type}, reporting an unknown value the way other enums are reported. */
  static final class Deserializer extends StdDeserializer<StorageType> {
    private static final long serialVersionUID = 1L;

    Deserializer() {
      super(StorageType.class);
    }

    @Override
    public StorageType deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.hasToken(JsonToken.VALUE_STRING)) {
        return (StorageType) ctxt.handleUnexpectedToken(StorageType.class, p);
      }
      String text = p.getText();
      try {
        return ofKey(text);
      } catch (IllegalArgumentException e) {
        throw ctxt.weirdStringException(text, StorageType.class, "not a storage type");
      }
    }
  }
}
