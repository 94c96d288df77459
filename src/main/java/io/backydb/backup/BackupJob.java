package io.backydb.backup;

import io.backydb.codec.IntegrityKey;
import io.backydb.config.BackupConfig;
import io.backydb.config.Environment;
import io.backydb.engine.DatabaseEngine;
import io.backydb.engine.DumpSummary;
import io.backydb.format.BackupMetadata;
import io.backydb.format.BackyHeader;
import io.backydb.storage.BackupStorage;
import io.backydb.stream.AsyncPipe;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One backup run as it moves through the route's steps: its config, where it goes, and what each
 * step has produced so far. Secrets are kept in the {@link Environment}, never copied here; the
 * only key material is the integrity key derived for this run, held in memory only.
 */
public final class BackupJob {

  private final BackupConfig config;
  private final Environment environment;
  private final DatabaseEngine engine;
  private final BackupStorage storage;
  private final String id = UUID.randomUUID().toString();
  private final Instant startedAt = Instant.now();
  private String name;
  private CompletableFuture<DumpSummary> dump;

  /** The stream's stages that run on threads of their own (dump, compress, encrypt). */
  private final List<Closeable> stages = new CopyOnWriteArrayList<>();

  private final List<BackupMetadata.StoredFile> storedFiles = new ArrayList<>();
  private long dumpBytes;
  private String layout;
  private BackupMetadata.Integrity integrity;
  private BackupMetadata.Encryption encryption;
  private BackupMetadata metadata;
  private String location;
  private final BackyHeader header;
  private IntegrityKey integrityKey;
  private CompletableFuture<IntegrityKey> pendingIntegrity;
  private BackupWriter writer;

  public BackupJob(
      BackupConfig config, Environment environment, DatabaseEngine engine, BackupStorage storage) {
    this.config = config;
    this.environment = environment;
    this.engine = engine;
    this.storage = storage;
    this.header = new BackyHeader(id, startedAt);
  }

  /**
   * The {@code .backy} header of this backup (unused for plain SQL), for the steps to set their
   * sections while the route is set up. Whoever freezes it takes it from {@link
   * #completedHeader()}.
   */
  public BackyHeader header() {
    return header;
  }

  /**
   * The header with the integrity parameters in it, ready to be frozen: waits for the integrity key
   * if it is still being derived. The encrypt step freezes it for its associated data ({@code
   * authenticatedBytes()}), the integrity step at the latest. Until then the key's derivation runs
   * beside the other steps' set-up (the compressor starts, the encryption wraps its data key).
   */
  public BackyHeader completedHeader() {
    integrityKey();
    return header;
  }

  /**
   * Registers {@code stage}, a stream fed by a thread of its own (a pipe), and returns it: if the
   * backup fails before the store step has read it to its end, {@link #stopStages()} closes it, so
   * that its thread (and, stage by stage, the dump and its snapshot behind it) stops instead of
   * waiting for a reader that will not come.
   */
  public <S extends Closeable> S stage(S stage) {
    stages.add(stage);
    return stage;
  }

  /**
   * How long a failed backup waits for the threads of its stages to end. They clean up after
   * themselves (a tar spool file, an S3 part spooled to disk) as they end; a command stopped by a
   * signal halts the JVM once the backup has returned, which would leave those files behind.
   */
  static final Duration STAGES_STOP_WAIT = Duration.ofSeconds(5);

  /** Closes every registered stage, and waits a while for their threads; the backup has failed. */
  public void stopStages() {
    for (Closeable s : stages) {
      try {
        s.close();
      } catch (IOException | RuntimeException e) {
        // stopping a failed backup: the failure that matters is already being reported
      }
    }
    long deadline = System.nanoTime() + STAGES_STOP_WAIT.toNanos();
    for (Closeable s : stages) {
      if (s instanceof AsyncPipe<?> pipe) {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        pipe.awaitProducer(left);
      }
    }
  }

  /**
   * The integrity key (HMAC or SHA-256), or null when integrity is off; waits for it if it is still
   * being derived.
   */
  public synchronized IntegrityKey integrityKey() {
    if (pendingIntegrity != null) {
      try {
        integrityKey = pendingIntegrity.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      } finally {
        pendingIntegrity = null;
      }
      header.integrity(integrityKey.params());
    }
    return integrityKey;
  }

  /**
   * Overwrites the HMAC key once the backup is over, however it ended (see {@link
   * IntegrityKey#close()}); one still being derived is overwritten as soon as it is.
   */
  public synchronized void destroyIntegrityKey() {
    if (pendingIntegrity != null) {
      // nothing waits for it: a derivation that failed has no key to overwrite
      var unused = pendingIntegrity.thenAccept(IntegrityKey::close);
    } else if (integrityKey != null) {
      integrityKey.close();
    }
  }

  /** Sets the integrity key, which may still be being derived; its parameters go in the header. */
  public synchronized void integrityKey(CompletableFuture<IntegrityKey> k) {
    this.pendingIntegrity = k;
  }

  public BackupConfig config() {
    return config;
  }

  public Environment environment() {
    return environment;
  }

  public DatabaseEngine engine() {
    return engine;
  }

  public BackupStorage storage() {
    return storage;
  }

  public String id() {
    return id;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public String name() {
    return name;
  }

  public void name(String n) {
    this.name = n;
  }

  public CompletableFuture<DumpSummary> dump() {
    return dump;
  }

  public void dump(CompletableFuture<DumpSummary> d) {
    this.dump = d;
  }

  public List<BackupMetadata.StoredFile> storedFiles() {
    return storedFiles;
  }

  public long dumpBytes() {
    return dumpBytes;
  }

  public void addDumpBytes(long n) {
    dumpBytes += n;
  }

  public String layout() {
    return layout;
  }

  public void layout(String l) {
    this.layout = l;
  }

  public BackupMetadata.Integrity integrity() {
    return integrity;
  }

  public void integrity(BackupMetadata.Integrity i) {
    this.integrity = i;
  }

  public BackupMetadata.Encryption encryption() {
    return encryption;
  }

  public void encryption(BackupMetadata.Encryption e) {
    this.encryption = e;
  }

  public BackupMetadata metadata() {
    return metadata;
  }

  public void metadata(BackupMetadata m) {
    this.metadata = m;
  }

  /** What stored the backup's files (and rolls them back), once the store step ran; else null. */
  public BackupWriter writer() {
    return writer;
  }

  public void writer(BackupWriter w) {
    this.writer = w;
  }

  /** Where the backup is, as the user sees it: its file, folder or URI. */
  public String location() {
    return location;
  }

  public void location(String l) {
    this.location = l;
  }
}
