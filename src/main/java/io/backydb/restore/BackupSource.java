package io.backydb.restore;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.codec.IntegrityKey;
import io.backydb.codec.PayloadCodec;
import io.backydb.codec.PayloadCodecs;
import io.backydb.config.Feature;
import io.backydb.engine.DumpInput;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyContainerReader;
import io.backydb.format.BackyFormat;
import io.backydb.format.BackyHeader;
import io.backydb.format.MetadataJson;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.ChangedObjectException;
import io.backydb.storage.LocalStorage;
import io.backydb.storage.S3Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A stored backup located from a user's path: which objects it consists of, its metadata sidecar if
 * there is one, and how to read its SQL back. It can be opened any number of times: a restore reads
 * it once to verify it and once more to apply it. The file itself is self-describing; the sidecar
 * only adds checksums and statistics.
 */
public final class BackupSource {

  private final BackupStorage storage;
  private final String name;
  private final String layout;
  private final List<String> objects;
  private final BackupMetadata metadata;
  private final List<UnaryOperator<InputStream>> payloadDecoders = new ArrayList<>();
  private final BackyHeader header;

  /**
   * Each object's version when the backup was located: every later read is of that version, so that
   * what a restore applies is what it verified (see {@link BackupStorage#open(String, String)}).
   */
  private final Map<String, String> versions;

  private IntegrityKey integrityKey;

  private BackupSource(
      BackupStorage storage,
      String name,
      String layout,
      List<String> objects,
      Map<String, String> versions,
      BackupMetadata metadata,
      BackyHeader header) {
    this.storage = storage;
    this.name = name;
    this.layout = layout;
    this.objects = objects;
    this.versions = versions;
    this.metadata = metadata;
    this.header = header;
  }

  /**
   * Finds the backup at {@code path}: a {@code .sql} file, a folder of them, or a {@code .backy}
   * file. Errors name it as the restore config's {@code backup_path}.
   */
  public static BackupSource locate(BackupStorage storage, String path) throws IOException {
    return locate(storage, path, "backup_path");
  }

  /**
   * As {@link #locate(BackupStorage, String)}, with errors naming the path as {@code what} (e.g.
   * {@code backup} for {@code bin/backy verify}, which has no {@code backup_path}).
   */
  public static BackupSource locate(BackupStorage storage, String path, String what)
      throws IOException {
    if (path.startsWith("s3://") && storage instanceof LocalStorage) {
      throw new BackyException(
          ErrorCode.CONFIG,
          what
              + " "
              + path
              + " is in S3, but the storage is local: an s3:// path needs storage_type: s3 (or"
              + " aws) and the AWS_S3_* variables");
    }
    String object = storage.nameOf(path);
    if (object == null) {
      throw new BackyException(
          ErrorCode.CONFIG,
          what
              + " "
              + path
              + " is not inside the configured storage"
              + (storage instanceof S3Storage s3
                  // the bucket and prefix come from two places: say which to change
                  ? " "
                      + s3
                      + " (its bucket is AWS_S3_BUCKET_NAME, its prefix the config's"
                      + " storage.prefix)"
                  : ""));
    }
    while (object.endsWith("/")) {
      object = object.substring(0, object.length() - 1);
    }
    if (object.endsWith(".sql") && storage.exists(object)) {
      refuseFileOfFolderBackup(storage, object, what + " " + path);
      String name = object.substring(0, object.length() - 4);
      return new BackupSource(
          storage,
          name,
          BackupMetadata.LAYOUT_SQL,
          List.of(object),
          versions(storage, List.of(object)),
          sidecar(storage, name),
          null);
    }
    if (object.endsWith(".backy") && storage.exists(object)) {
      String name = object.substring(0, object.length() - 6);
      Map<String, String> versions = versions(storage, List.of(object));
      BackyHeader header;
      try (InputStream in = open(storage, object, versions)) {
        header = BackyFormat.readHeader(in, storage.location(object));
      }
      return new BackupSource(
          storage,
          name,
          BackupMetadata.LAYOUT_BACKY,
          List.of(object),
          versions,
          sidecar(storage, name),
          header);
    }
    List<String> parts = new ArrayList<>();
    for (String n : storage.list(".sql")) {
      if (n.startsWith(object + "/") && n.indexOf('/', object.length() + 1) < 0) {
        parts.add(n);
      }
    }
    if (!parts.isEmpty()) {
      BackupMetadata sidecar = sidecar(storage, object);
      if (sidecar == null) {
        // the sidecar is written last, and only it says which files the backup has: a folder
        // without one is what a backup killed mid-way leaves (say its schema, not its data)
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            "backup folder "
                + storage.location(object)
                + " has no "
                + BackupMetadata.sidecarName(object)
                + ": it is not a finished backup (one stopped before it ended leaves this), and"
                + " which of its files are missing cannot be known");
      }
      parts.sort(Comparator.comparingInt(BackupSource::featureRank));
      return new BackupSource(
          storage,
          object,
          BackupMetadata.LAYOUT_SQL_FILES,
          List.copyOf(parts),
          versions(storage, parts),
          sidecar,
          null);
    }
    if (storage.exists(object)) {
      throw notABackup(storage, object, what + " " + path);
    }
    throw new BackyException(
        ErrorCode.CONFIG,
        what + " " + path + " does not exist (no .sql, .backy or backup folder there)");
  }

  /**
   * Refuses what is there but is no backup: a metadata sidecar (naming the backup it describes),
   * any other file, a folder without {@code .sql} files.
   */
  private static BackyException notABackup(BackupStorage storage, String object, String named) {
    if (object.endsWith(BackupMetadata.SUFFIX)) {
      String name = object.substring(0, object.length() - BackupMetadata.SUFFIX.length());
      BackupMetadata m;
      try {
        m = sidecar(storage, name);
      } catch (IOException | RuntimeException e) {
        m = null; // not readable: the name alone says what it is
      }
      String layout = m == null || m.layout() == null ? "" : m.layout();
      String backup =
          switch (layout) {
            case BackupMetadata.LAYOUT_SQL -> storage.location(name + ".sql");
            case BackupMetadata.LAYOUT_BACKY -> storage.location(name + ".backy");
            case BackupMetadata.LAYOUT_SQL_FILES -> storage.location(name);
            default ->
                "the backup beside it, " + storage.location(name) + " (.sql, .backy or a folder)";
          };
      return new BackyException(
          ErrorCode.CONFIG,
          named + " is the metadata sidecar of a backup, not the backup: give " + backup);
    }
    return new BackyException(
        ErrorCode.CONFIG,
        named + " is not a backup: expected a .sql or .backy file or a backup folder");
  }

  /**
   * Refuses a {@code .sql} file that is one file of a folder backup ({@code NAME/data.sql} beside
   * {@code NAME.metadata.json} of layout {@code sql-files}): alone it is part of a backup. Any
   * other {@code .sql}, in a sub-folder or not, is a backup by itself.
   */
  private static void refuseFileOfFolderBackup(BackupStorage storage, String object, String named)
      throws IOException {
    int slash = object.lastIndexOf('/');
    if (slash < 0) {
      return;
    }
    String folder = object.substring(0, slash);
    BackupMetadata m;
    try {
      m = sidecar(storage, folder);
    } catch (IOException | RuntimeException e) {
      return; // no readable sidecar says it is a folder backup
    }
    if (m != null && BackupMetadata.LAYOUT_SQL_FILES.equals(m.layout())) {
      throw new BackyException(
          ErrorCode.CONFIG,
          named
              + " is one file of the folder backup "
              + storage.location(folder)
              + " ("
              + storage.location(BackupMetadata.sidecarName(folder))
              + " says so), not a backup by itself: give the folder instead");
    }
  }

  private static Map<String, String> versions(BackupStorage storage, List<String> objects)
      throws IOException {
    Map<String, String> v = new HashMap<>();
    for (String o : objects) {
      v.put(o, storage.version(o));
    }
    return Map.copyOf(v);
  }

  /** Opens {@code object} at its version, or fails with a one-line error if it has changed. */
  private static InputStream open(BackupStorage storage, String object, Map<String, String> v)
      throws IOException {
    try {
      return storage.open(object, v.get(object));
    } catch (ChangedObjectException e) {
      throw changed(storage, object);
    }
  }

  private static BackyException changed(BackupStorage storage, String object) {
    return new BackyException(
        ErrorCode.CORRUPT_BACKUP,
        storage.location(object)
            + " changed while BackyDB was reading it (it was replaced or written to after it was"
            + " first read); nothing of it was applied");
  }

  private static int featureRank(String object) {
    String file = object.substring(object.lastIndexOf('/') + 1).replace(".sql", "");
    try {
      return Feature.RESTORE_ORDER.indexOf(Feature.ofKey(file));
    } catch (IllegalArgumentException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static BackupMetadata sidecar(BackupStorage storage, String name) throws IOException {
    String sidecar = BackupMetadata.sidecarName(name);
    if (!storage.exists(sidecar)) {
      return null;
    }
    try (InputStream in = storage.open(sidecar)) {
      return MetadataJson.read(in, storage.location(sidecar));
    }
  }

  public BackupStorage storage() {
    return storage;
  }

  public String name() {
    return name;
  }

  public String layout() {
    return layout;
  }

  /** The stored objects, in the order a restore reads them. */
  public List<String> objects() {
    return objects;
  }

  /** The sidecar, or null if the backup has none (a copied file, say). */
  public BackupMetadata metadata() {
    return metadata;
  }

  public String location() {
    return storage.location(BackupMetadata.LAYOUT_SQL_FILES.equals(layout) ? name : objects.get(0));
  }

  /** The header of a {@code .backy} backup (read when it was located), or null for plain SQL. */
  public BackyHeader header() {
    return header;
  }

  /**
   * Adds a decoding stage applied to a {@code .backy} payload before it is decompressed: the
   * decrypt step's decryption (the authenticated header, {@code header().authenticatedBytes()}, is
   * its associated data). Decompression itself follows the header and needs no stage.
   */
  public void addPayloadDecoder(UnaryOperator<InputStream> decoder) {
    payloadDecoders.add(decoder);
  }

  /** Whether a decoding stage (decryption) was added. */
  public boolean hasPayloadDecoders() {
    return !payloadDecoders.isEmpty();
  }

  /**
   * Refuses, with a one-line configuration error, a restore limited to tables the backup does not
   * hold (a misspelt name would otherwise restore nothing and succeed). The sidecar lists the
   * tables and sequences whose data was dumped, so the check is made when it exists, the backup
   * holds data and the sidecar records each table's kind (one written before it did leaves the
   * sequences out: the dump itself is checked while it is verified, {@link #requireTables(List,
   * Set)}).
   */
  public void requireTables(List<String> wanted) {
    if (wanted == null
        || wanted.isEmpty()
        || metadata == null
        || !metadata.listsEveryTable()
        || metadata.features() == null
        || !metadata.features().contains(Feature.DATA.key())) {
      return;
    }
    Set<String> held = new TreeSet<>();
    metadata.tables().forEach(t -> held.add(t.name()));
    requireTables(wanted, held);
  }

  /**
   * As {@link #requireTables(List)}, against the tables the dump itself names ({@link
   * io.backydb.engine.DumpContents#allTables()}), which the verify step read: it holds for a backup
   * without a sidecar, or without data, too.
   */
  public void requireTables(List<String> wanted, Set<String> held) {
    if (wanted == null || wanted.isEmpty()) {
      return;
    }
    List<String> missing = wanted.stream().filter(t -> !held.contains(t)).toList();
    if (!missing.isEmpty()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "backup "
              + location()
              + " holds no table "
              + String.join(", ", missing)
              + " (it holds "
              + (held.isEmpty()
                  ? "none"
                  : held.size() <= 20
                      ? String.join(", ", held)
                      : String.join(", ", held.stream().limit(20).toList()) + ", ...")
              + ")");
    }
  }

  /**
   * Overwrites the integrity key the verify step derived, once the restore or verify is over (see
   * {@link IntegrityKey#close()}).
   */
  public void destroyIntegrityKey() {
    if (integrityKey != null) {
      integrityKey.close();
    }
  }

  /**
   * The integrity key the verify step derived; a {@code .backy} file's later reads check the
   * trailer with it too. Whoever ends the job destroys it ({@link #destroyIntegrityKey()}).
   */
  public void integrityKey(IntegrityKey key) {
    this.integrityKey = key;
  }

  public IntegrityKey integrityKey() {
    return integrityKey;
  }

  /**
   * An open {@code .backy} file: its container (trailer checks) and its dump's files. Closing it
   * releases both: the decoder's native memory and the stored object's stream.
   */
  public record OpenBacky(BackyContainerReader container, DumpInput dump)
      implements java.io.Closeable {
    @Override
    public void close() throws IOException {
      try {
        dump.close();
      } finally {
        container.close();
      }
    }
  }

  /** Opens a {@code .backy} backup: container, decoders, decompression, bundle. */
  public OpenBacky openBacky() throws IOException {
    return openBacky(openObject(objects.get(0)));
  }

  /** As {@link #openBacky()}, reading the file from {@code raw} (e.g. a digesting stream). */
  public OpenBacky openBacky(InputStream raw) throws IOException {
    String where = storage.location(objects.get(0));
    BackyContainerReader container;
    try {
      container = new BackyContainerReader(raw, where, integrityKey);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
    if (!java.util.Arrays.equals(container.header().bytes(), header.bytes())) {
      container.close();
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP, where + " changed while it was being restored");
    }
    InputStream in = container.payload();
    for (UnaryOperator<InputStream> d : payloadDecoders) {
      in = d.apply(in);
    }
    PayloadCodec codec = PayloadCodecs.of(header.compression().type(), where);
    return new OpenBacky(container, codec.decode(in));
  }

  /** Opens one stored object as it is stored, at the version it had when it was located. */
  public InputStream openObject(String object) throws IOException {
    return open(storage, object, versions);
  }

  /**
   * Opens the backup's SQL files for reading, in restore order; closing it releases the stored
   * object being read, whether or not it was read to its end.
   */
  public DumpInput openDump() throws IOException {
    if (BackupMetadata.LAYOUT_BACKY.equals(layout)) {
      OpenBacky open = openBacky();
      return new DumpInput() {
        @Override
        public DumpFile next() throws IOException {
          DumpInput.DumpFile f = open.dump().next();
          if (f == null) {
            // the last file's end reads the payload to its end, which checks the trailer
            open.container().drain();
            open.container().close();
          }
          return f;
        }

        @Override
        public void close() throws IOException {
          open.close();
        }
      };
    }
    // a later file found changed would fail the restore after the earlier ones were applied
    for (String object : objects) {
      if (!versions.get(object).equals(storage.version(object))) {
        throw changed(storage, object);
      }
    }
    Iterator<String> it = objects.iterator();
    return new DumpInput() {
      private InputStream current;

      @Override
      public DumpFile next() throws IOException {
        close();
        if (!it.hasNext()) {
          return null;
        }
        String object = it.next();
        current = openObject(object);
        return new DumpInput.DumpFile(object.substring(object.lastIndexOf('/') + 1), current);
      }

      @Override
      public void close() throws IOException {
        if (current != null) {
          InputStream c = current;
          current = null;
          c.close();
        }
      }
    };
  }
}
