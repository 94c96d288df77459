package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link BackupStorage} keeps (see its Javadoc). A storage's test extends this
 * class and supplies a fresh, empty storage; for S3 the part size is small, so the larger sizes
 * exercise multipart uploads.
 */
abstract class StorageContractTest {

  static final int MIB = 1 << 20;

  BackupStorage storage;

  /** A new, empty storage for one test. */
  abstract BackupStorage newStorage() throws Exception;

  /** Asserts the storage's backend holds no trace of unfinished writes (temp files, uploads). */
  abstract void assertNoUnfinishedWrites() throws Exception;

  @BeforeEach
  void createStorage() throws Exception {
    storage = newStorage();
  }

  static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes in uneven chunks, as a compressor or the digest stream would. */
  static void writeChunked(OutputStream out, byte[] data) throws IOException {
    int off = 0;
    int chunk = 1;
    while (off < data.length) {
      int n = Math.min(chunk, data.length - off);
      out.write(data, off, n);
      off += n;
      chunk = chunk * 3 + 7;
    }
  }

  byte[] read(String name) throws IOException {
    try (InputStream in = storage.open(name)) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 5, 23, MIB + 23})
  void commit_makesTheObjectVisibleWithItsExactBytes(int size) throws Exception {
    byte[] content = data(size, size);
    String name = "db_20261126T101500Z.sql";
    PendingWrite w = storage.create(name);
    writeChunked(w.stream(), content);
    assertThat(storage.exists(name)).as("visible before commit").isFalse();
    assertThat(storage.list(".sql")).isEmpty();

    String location = w.commit();

    assertThat(location).isEqualTo(storage.location(name));
    assertThat(storage.exists(name)).isTrue();
    assertThat(storage.size(name)).isEqualTo(size);
    assertThat(read(name)).isEqualTo(content);
    assertThat(storage.list(".sql")).containsExactly(name);
    assertNoUnfinishedWrites();
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 5, 23, MIB + 23})
  void abort_leavesNothingBehind(int size) throws Exception {
    String name = "db_20261126T101500Z.backy";
    PendingWrite w = storage.create(name);
    writeChunked(w.stream(), data(size, 7));
    w.abort();
    w.abort(); // idempotent

    assertThat(storage.exists(name)).isFalse();
    assertThat(storage.list("")).isEmpty();
    assertNoUnfinishedWrites();
    assertThatThrownBy(w::commit).isInstanceOf(IOException.class);
  }

  @Test
  void close_withoutCommit_aborts() throws Exception {
    String name = "x.sql";
    try (PendingWrite w = storage.create(name)) {
      writeChunked(w.stream(), data(MIB + 23, 3));
    }
    assertThat(storage.exists(name)).isFalse();
    assertThat(storage.list("")).isEmpty();
    assertNoUnfinishedWrites();
  }

  @Test
  void closingTheStream_doesNotEndTheWrite() throws Exception {
    byte[] content = data(MIB + 23, 11);
    PendingWrite w = storage.create("a.backy");
    OutputStream out = w.stream();
    writeChunked(out, content);
    out.close();
    w.commit();
    assertThat(read("a.backy")).isEqualTo(content);
  }

  @Test
  void create_refusesAnExistingName() throws Exception {
    try (PendingWrite w = storage.create("a.sql")) {
      w.stream().write(1);
      w.commit();
    }
    assertThatThrownBy(() -> storage.create("a.sql")).isInstanceOf(IOException.class);
    assertThat(read("a.sql")).containsExactly(1);
  }

  /**
   * Two backups that took the same name (started in the same second) race: the first to commit
   * keeps it, the second fails. Once with the small object first, once with the large one (on S3: a
   * single PUT and a multipart upload).
   */
  @Test
  void commit_ofASecondWriterOfOneName_failsAndKeepsTheFirst() throws Exception {
    byte[] small = data(MIB + 5, 21);
    byte[] large = data(6 * MIB + 9, 22);
    for (boolean smallFirst : new boolean[] {true, false}) {
      String name = "race-" + smallFirst + ".backy";
      PendingWrite a = storage.create(name);
      PendingWrite b = storage.create(name); // both looked before either committed
      byte[] first = smallFirst ? small : large;
      writeChunked(a.stream(), first);
      writeChunked(b.stream(), smallFirst ? large : small);
      a.commit();
      assertThatThrownBy(b::commit).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
      assertThat(read(name)).isEqualTo(first);
    }
    assertNoUnfinishedWrites();
  }

  @Test
  void list_filtersBySuffix_andIncludesFolders() throws Exception {
    for (String n : new String[] {"a.sql", "a.metadata.json", "b/data.sql", "b.metadata.json"}) {
      try (PendingWrite w = storage.create(n)) {
        w.stream().write(n.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        w.commit();
      }
    }
    assertThat(storage.list(".sql")).containsExactlyInAnyOrder("a.sql", "b/data.sql");
    assertThat(storage.list(".metadata.json"))
        .containsExactlyInAnyOrder("a.metadata.json", "b.metadata.json");
    assertThat(storage.size("b/data.sql")).isEqualTo("b/data.sql".length());
  }

  @Test
  void delete_removesAndIsIdempotent() throws Exception {
    try (PendingWrite w = storage.create("d/one.sql")) {
      w.stream().write(data(23, 1));
      w.commit();
    }
    storage.delete("d/one.sql");
    storage.delete("d/one.sql");
    storage.delete("never-existed.sql");
    assertThat(storage.exists("d/one.sql")).isFalse();
    assertThat(storage.list("")).isEmpty();
  }

  void put(String name, byte[] bytes) throws IOException {
    try (PendingWrite w = storage.create(name)) {
      w.stream().write(bytes);
      w.commit();
    }
  }

  /**
   * What a backup folder's staleness is judged by: its committed objects and a write into it that
   * is not committed yet (one past a part on S3), never a sibling's.
   */
  @Test
  void lastWriteUnder_seesCommittedObjectsAndWritesInProgress() throws Exception {
    java.time.Instant before = java.time.Instant.now().minusSeconds(2); // S3 keeps whole seconds
    assertThat(storage.lastWriteUnder("f")).isNull();
    put("f/tables.sql", data(23, 1));
    put("ff/tables.sql", data(23, 2));
    put("f.metadata.json", data(23, 3));
    assertThat(storage.lastWriteUnder("f")).isBetween(before, java.time.Instant.now());

    PendingWrite w = storage.create("g/data.sql");
    writeChunked(w.stream(), data(6 * MIB + 9, 4));
    assertThat(storage.lastWriteUnder("g"))
        .as("a write in progress")
        .isBetween(before, java.time.Instant.now());
    w.abort();
    assertThat(storage.lastWriteUnder("g")).isNull();
    assertThat(storage.lastWriteUnder("nothing")).isNull();
  }

  /**
   * A write past one part (S3 sends a smaller one whole on its commit) is named as being written,
   * once, until its commit or abort; a committed object is not.
   */
  @Test
  void beingWritten_namesAWriteInProgress_untilItEnds() throws Exception {
    put("done.backy", data(23, 1));
    assertThat(storage.beingWritten()).isEmpty();
    PendingWrite w = storage.create("db_20261126T101500Z.backy");
    writeChunked(w.stream(), data(6 * MIB + 9, 2));
    w.stream().flush();
    PendingWrite folder = storage.create("db_20261126T101501Z/data.sql");
    writeChunked(folder.stream(), data(6 * MIB + 9, 3));
    folder.stream().flush();

    assertThat(storage.beingWritten())
        .containsExactlyInAnyOrder("db_20261126T101500Z.backy", "db_20261126T101501Z/data.sql");

    w.commit();
    folder.abort();
    assertThat(storage.beingWritten()).isEmpty();
    assertThat(storage.list(".backy"))
        .containsExactlyInAnyOrder("done.backy", "db_20261126T101500Z.backy");
  }

  @Test
  void open_atAVersion_readsThatVersionOrFails() throws Exception {
    byte[] first = data(3 * MIB + 5, 7);
    put("v/backup.backy", first);
    String version = storage.version("v/backup.backy");
    assertThat(storage.version("v/backup.backy")).isEqualTo(version);
    try (InputStream in = storage.open("v/backup.backy", version)) {
      assertThat(in.readAllBytes()).isEqualTo(first);
    }
    // replaced by an object of the same size: what a restore verified must not be what it applies
    storage.delete("v/backup.backy");
    put("v/backup.backy", data(3 * MIB + 5, 8));
    assertThat(storage.version("v/backup.backy")).isNotEqualTo(version);
    assertThatThrownBy(() -> storage.open("v/backup.backy", version))
        .isInstanceOf(ChangedObjectException.class)
        .hasMessageContaining(storage.location("v/backup.backy"));
    // and gone
    storage.delete("v/backup.backy");
    assertThatThrownBy(() -> storage.open("v/backup.backy", version))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> storage.version("v/backup.backy"))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void open_ofAMissingObject_fails() {
    // NoSuchFileException in particular: a listing skips what another run removed meanwhile
    assertThatThrownBy(() -> storage.open("missing.sql")).isInstanceOf(NoSuchFileException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape.sql", "a/../../escape.sql", "/etc/passwd", ".."})
  void namesEscapingTheRoot_areRefused(String name) {
    assertThatThrownBy(() -> storage.create(name)).isInstanceOf(BackyException.class);
    assertThatThrownBy(() -> storage.open(name)).isInstanceOf(BackyException.class);
    assertThatThrownBy(() -> storage.delete(name)).isInstanceOf(BackyException.class);
    assertThatThrownBy(() -> storage.exists(name)).isInstanceOf(BackyException.class);
  }

  @Test
  void location_andNameOf_roundTrip() {
    for (String n : new String[] {"a.sql", "b/data.sql", "shop_20261126T101500Z.backy"}) {
      assertThat(storage.nameOf(storage.location(n))).isEqualTo(n);
      assertThat(storage.nameOf(n)).isEqualTo(n);
    }
    assertThat(storage.nameOf(foreignLocation())).isNull();
  }

  /** A location that is not in this storage. */
  abstract String foreignLocation();

  /** When an object was written, for telling a leftover that is being finished from an old one. */
  @Test
  void lastModified_isWhenTheObjectWasCommitted_andNullWithoutOne() throws Exception {
    String name = "shop_20261126T101500Z.backy";
    assertThat(storage.lastModified(name)).isNull();
    java.time.Instant before = java.time.Instant.now().minusSeconds(5);
    PendingWrite w = storage.create(name);
    w.stream().write(data(100, 3));
    assertThat(storage.lastModified(name)).as("not before its commit").isNull();
    w.commit();
    assertThat(storage.lastModified(name))
        .isBetween(before, java.time.Instant.now().plusSeconds(5));
    storage.delete(name);
    assertThat(storage.lastModified(name)).isNull();
  }
}
