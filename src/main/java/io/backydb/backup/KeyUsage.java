package io.backydb.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Which backups of a storage still need a key: those whose {@code .backy} header holds a data key
 * wrapped by it. Retiring such a key makes them unrestorable for good, so {@code backy keys retire
 * --config} asks this first. Only headers are read.
 */
public final class KeyUsage {

  private KeyUsage() {}

  /**
   * The names of the {@code .backy} objects in {@code storage} with a data key wrapped by key
   * {@code keyId} of provider {@code provider}, sorted.
   */
  public static List<String> backupsWrappedBy(BackupStorage storage, String provider, String keyId)
      throws IOException {
    List<String> names = new ArrayList<>(storage.list(".backy"));
    names.sort(null);
    List<String> using = new ArrayList<>();
    for (String name : names) {
      BackyHeader header;
      try (InputStream in = storage.open(name)) {
        header = BackyFormat.readHeader(in, storage.location(name));
      }
      JsonNode section = header.encryption();
      if (section == null) {
        continue;
      }
      for (JsonNode k : section.path(BackyHeader.WRAPPED_KEYS)) {
        if (provider.equals(k.path("provider").asText())
            && keyId.equals(k.path("key_id").asText())) {
          using.add(name);
          break;
        }
      }
    }
    return List.copyOf(using);
  }
}
