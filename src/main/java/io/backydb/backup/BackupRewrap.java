package io.backydb.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.PayloadEncryption;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.format.MetadataJson;
import io.backydb.keys.KeyRotation;
import io.backydb.keys.Keystore;
import io.backydb.keys.WrappedKey;
import io.backydb.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Step 2 of key rotation (see {@code docs/security.md}): re-wraps the data key of every encrypted
 * {@code .backy} backup in a storage under a keystore's current key. Only the header's wrapped keys
 * change — they are outside the authenticated header — so the payload and the trailer are copied
 * unchanged and the file still verifies. Each file is replaced crash-safely ({@link
 * ObjectReplacer}), then its sidecar is updated (file size, SHA-256, key id). A backup that cannot
 * be re-wrapped is reported and left as it was.
 */
public final class BackupRewrap {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /**
   * What a run did, by {@code .backy} object name.
   *
   * @param rewrapped re-wrapped under the current key
   * @param current already wrapped by the current key
   * @param skipped not encrypted, or wrapped by another provider
   * @param failed could not be re-wrapped: name and one-line reason
   * @param finishing left as they are: written moments ago and without a sidecar, so maybe a backup
   *     that is just writing its sidecar, which would then describe the file as it was
   */
  public record Outcome(
      List<String> rewrapped,
      List<String> current,
      List<String> skipped,
      List<String> failed,
      List<String> finishing) {}

  /**
   * How long after its last write a file without a sidecar may still be a backup about to write it
   * (a backup writes its sidecar right after its file; on S3 an upload's retries take minutes).
   */
  static final Duration FINISHING = Duration.ofMinutes(10);

  private BackupRewrap() {}

  /**
   * Re-wraps every backup of {@code storage} whose data key {@code keystore} wrapped with a key
   * that is not its current one; {@code log} receives one line per backup.
   */
  public static Outcome rewrapAll(BackupStorage storage, Keystore keystore, Consumer<String> log)
      throws IOException {
    int recovered = ObjectReplacer.recover(storage);
    if (recovered > 0) {
      log.accept("Finished " + recovered + " interrupted replacement(s)");
    }
    List<String> rewrapped = new ArrayList<>();
    List<String> current = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> finishing = new ArrayList<>();
    List<String> names = new ArrayList<>(storage.list(".backy"));
    names.sort(null);
    for (String name : names) {
      try {
        switch (rewrap(storage, name, keystore)) {
          case REWRAPPED -> {
            rewrapped.add(name);
            log.accept("Re-wrapped " + name + " under key " + keystore.currentKeyId());
          }
          case CURRENT -> current.add(name);
          case SKIPPED -> skipped.add(name);
          case FINISHING -> finishing.add(name);
        }
      } catch (BackyException e) {
        // its location, as restore and verify name it: the message knows it only by its id
        failed.add(storage.location(name) + ": " + e.getMessage());
        log.accept("Could not re-wrap " + storage.location(name) + ": " + e.getMessage());
      }
    }
    return new Outcome(
        List.copyOf(rewrapped),
        List.copyOf(current),
        List.copyOf(skipped),
        List.copyOf(failed),
        List.copyOf(finishing));
  }

  private enum Result {
    REWRAPPED,
    CURRENT,
    SKIPPED,
    FINISHING
  }

  private static Result rewrap(BackupStorage storage, String name, Keystore keystore)
      throws IOException {
    String where = storage.location(name);
    BackyHeader header;
    try (InputStream in = storage.open(name)) {
      header = BackyFormat.readHeader(in, where);
    }
    JsonNode section = header.encryption();
    if (section == null || !keystore.name().equals(section.path("provider").asText())) {
      return Result.SKIPPED;
    }
    JsonNode array = section.get(BackyHeader.WRAPPED_KEYS);
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " is encrypted but holds no wrapped data key");
    }
    List<WrappedKey> keys = new ArrayList<>();
    boolean allCurrent = true;
    for (JsonNode k : array) {
      WrappedKey w = WrappedKey.fromMap(JSON.convertValue(k, MAP));
      keys.add(w);
      allCurrent &= KeyRotation.isCurrent(w, keystore);
    }
    String sidecar = BackupMetadata.sidecarName(name.substring(0, name.length() - 6));
    BackupMetadata meta = readSidecar(storage, sidecar);
    if (allCurrent) {
      // a run interrupted between the file and its sidecar left the sidecar behind
      if (meta != null
          && meta.encryption() != null
          && !keystore.currentKeyId().equals(meta.encryption().keyId())) {
        updateSidecar(storage, sidecar, meta, name, digestOf(storage, name), keystore);
      }
      return Result.CURRENT;
    }
    if (meta == null) {
      Instant written = storage.lastModified(name);
      if (written != null && written.plus(FINISHING).isAfter(Instant.now())) {
        return Result.FINISHING;
      }
    }
    List<WrappedKey> fresh = new ArrayList<>();
    for (WrappedKey w : keys) {
      fresh.add(
          KeyRotation.isCurrent(w, keystore)
              ? w
              : KeyRotation.rewrap(w, header.backupId(), keystore));
    }
    BackyHeader next = header.withWrappedKeys(BackupEncryption.wrappedKeys(fresh));
    byte[] nextBytes = next.bytes();
    int oldLength = header.bytes().length;
    MessageDigest sha = sha256();
    long[] size = new long[1];
    ObjectReplacer.replace(
        storage,
        name,
        out -> {
          DigestOutputStream d = new DigestOutputStream(out, sha);
          try (InputStream in = storage.open(name)) {
            in.skipNBytes(oldLength);
            d.write(nextBytes);
            size[0] = nextBytes.length + in.transferTo(d);
          }
          d.flush();
        });
    if (meta != null) {
      updateSidecar(storage, sidecar, meta, name, new Digest(size[0], sha.digest()), keystore);
    }
    return Result.REWRAPPED;
  }

  // a private value holder, never compared
  @SuppressWarnings("ArrayRecordComponent")
  private record Digest(long size, byte[] sha256) {}

  private static Digest digestOf(BackupStorage storage, String name) throws IOException {
    MessageDigest sha = sha256();
    long size;
    try (InputStream in = storage.open(name);
        OutputStream d = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
      size = in.transferTo(d);
    }
    return new Digest(size, sha.digest());
  }

  private static BackupMetadata readSidecar(BackupStorage storage, String sidecar)
      throws IOException {
    if (!storage.exists(sidecar)) {
      return null;
    }
    try (InputStream in = storage.open(sidecar)) {
      return MetadataJson.read(in, storage.location(sidecar));
    }
  }

  private static void updateSidecar(
      BackupStorage storage,
      String sidecar,
      BackupMetadata m,
      String name,
      Digest file,
      Keystore keystore)
      throws IOException {
    List<BackupMetadata.StoredFile> files =
        List.of(
            new BackupMetadata.StoredFile(
                name, file.size(), HexFormat.of().formatHex(file.sha256())));
    BackupMetadata updated =
        new BackupMetadata(
            m.metadataVersion(),
            m.id(),
            m.name(),
            m.tool(),
            m.startedAt(),
            m.completedAt(),
            m.durationMs(),
            m.source(),
            m.features(),
            m.tableFilter(),
            m.multipleFiles(),
            m.layout(),
            m.formatVersion(),
            files,
            m.tables(),
            m.compression(),
            new BackupMetadata.Encryption(
                m.encryption() == null ? PayloadEncryption.SUITE : m.encryption().suite(),
                keystore.name(),
                keystore.currentKeyId()),
            m.integrity(),
            new BackupMetadata.Sizes(m.sizes() == null ? 0 : m.sizes().dumpBytes(), file.size()));
    byte[] json = MetadataJson.write(updated);
    ObjectReplacer.replace(storage, sidecar, out -> out.write(json));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
