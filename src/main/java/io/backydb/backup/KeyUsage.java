package io.backydb.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.backydb.BackyException;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
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
      if (wraps(header, provider, keyId)) {
        using.add(name);
      }
    }
    return List.copyOf(using);
  }

  /**
   * The {@code .backy} objects that backups still running write ({@link
   * BackupStorage#beingWritten}) and whose data key is, or may be, wrapped by the key: they took
   * the key when they started, and end wrapped by it.
   *
   * @param wrapped those whose header, already written, holds a data key wrapped by the key
   * @param unknown those whose header cannot be read yet (not all written, or on a storage that
   *     cannot read an unfinished write: S3), which may
   */
  public record BeingWritten(List<String> wrapped, List<String> unknown) {

    /** Both, sorted. */
    public List<String> all() {
      List<String> all = new ArrayList<>(wrapped);
      all.addAll(unknown);
      all.sort(null);
      return List.copyOf(all);
    }
  }

  /**
   * The {@code .backy} objects being written in {@code storage} whose data key is or may be wrapped
   * by key {@code keyId} of provider {@code provider}. Ask this before {@link #backupsWrappedBy}: a
   * write committed between the two is then seen by the second.
   */
  public static BeingWritten backupsBeingWrittenWith(
      BackupStorage storage, String provider, String keyId) throws IOException {
    List<String> names = new ArrayList<>(storage.beingWritten());
    names.sort(null);
    List<String> wrapped = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String name : names) {
      if (!name.endsWith(".backy")) {
        continue;
      }
      BackyHeader header;
      try (InputStream in = storage.openBeingWritten(name)) {
        header = in == null ? null : BackyFormat.readHeader(in, storage.location(name));
      } catch (NoSuchFileException e) {
        continue; // committed since (then a finished backup) or abandoned
      } catch (IOException | BackyException e) {
        header = null; // the header is not all written yet
      }
      if (header == null) {
        unknown.add(name);
      } else if (wraps(header, provider, keyId)) {
        wrapped.add(name);
      }
    }
    return new BeingWritten(List.copyOf(wrapped), List.copyOf(unknown));
  }

  /** Whether the header holds a data key wrapped by key {@code keyId} of {@code provider}. */
  private static boolean wraps(BackyHeader header, String provider, String keyId) {
    JsonNode section = header.encryption();
    if (section == null) {
      return false;
    }
    for (JsonNode k : section.path(BackyHeader.WRAPPED_KEYS)) {
      if (provider.equals(k.path("provider").asText()) && keyId.equals(k.path("key_id").asText())) {
        return true;
      }
    }
    return false;
  }
}
