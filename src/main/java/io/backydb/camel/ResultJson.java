package io.backydb.camel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.backup.BackupResult;
import io.backydb.format.MetadataJson;
import io.backydb.restore.RestoreResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.spi.TypeConverterRegistry;
import org.apache.camel.support.TypeConverterSupport;

/**
 * The results of the backup and restore routes as JSON, for a step a user adds after them: {@code -
 * to: file:...} or a queue producer needs the body as bytes, and without these converters Camel
 * refused a {@link BackupResult} ("No type converter available"). A backup's JSON is its {@code
 * location} and its {@code metadata} (the sidecar, as written next to the backup); a restore's has
 * the {@link RestoreResult} components in snake_case.
 */
public final class ResultJson {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private ResultJson() {}

  /** A backup's location and metadata sidecar as one JSON object. */
  public static String of(BackupResult r) {
    try {
      ObjectNode n = JSON.createObjectNode();
      n.put("location", r.location());
      n.set("metadata", JSON.readTree(MetadataJson.write(r.metadata())));
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new UncheckedIOException("the backup result cannot be written as JSON", e);
    }
  }

  /** A restore's result as a JSON object. */
  public static String of(RestoreResult r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("the restore result cannot be written as JSON", e);
    }
  }

  /** Lets Camel turn both results into JSON text, bytes or a stream. */
  public static void register(CamelContext context) {
    TypeConverterRegistry registry = context.getTypeConverterRegistry();
    for (Class<?> to : new Class<?>[] {String.class, byte[].class, InputStream.class}) {
      registry.addTypeConverter(to, BackupResult.class, new Converter());
      registry.addTypeConverter(to, RestoreResult.class, new Converter());
    }
  }

  /** Converts either result to the JSON in the form asked for. */
  private static final class Converter extends TypeConverterSupport {
    @Override
    public <T> T convertTo(Class<T> type, Exchange exchange, Object value)
        throws TypeConversionException {
      String json = value instanceof BackupResult b ? of(b) : of((RestoreResult) value);
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      Object out =
          type == String.class
              ? json
              : type == byte[].class ? bytes : new ByteArrayInputStream(bytes);
      return type.cast(out);
    }
  }
}
