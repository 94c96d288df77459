package io.backydb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parts collected at once share one memory budget: those it has no room for go to an encrypted
 * temporary file at once, and closing a part gives its memory back.
 */
class PartBufferTest {

  static final long PART = 2L * PartMemory.BLOCK;

  /** This process's spool files (other processes may be spooling in the same folder). */
  static long ownSpoolFiles() throws java.io.IOException {
    String own = ".backy-spool." + PartialFiles.MACHINE + "." + ProcessHandle.current().pid() + ".";
    try (var files =
        java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith(own)).count();
    }
  }

  static byte[] contentOf(PartBuffer p) throws Exception {
    try (var in = p.body().contentStreamProvider().newStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  void partsBeyondTheBudget_spoolToDisk_andClosingGivesTheMemoryBack() throws Exception {
    PartMemory memory = new PartMemory(5L * PartMemory.BLOCK); // two parts of 2 MiB, not three
    long spoolsBefore = ownSpoolFiles();
    List<PartBuffer> parts = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        parts.add(PartBuffer.forPart(PART, memory));
      }
      assertThat(parts.get(0)).isInstanceOf(PartBuffer.InMemory.class);
      assertThat(parts.get(1)).isInstanceOf(PartBuffer.InMemory.class);
      assertThat(parts.get(2))
          .as("no room left for a third part: it goes to disk instead of waiting")
          .isInstanceOf(PartBuffer.Spooled.class);
      assertThat(memory.available()).isEqualTo(PartMemory.BLOCK);

      for (int i = 0; i < parts.size(); i++) {
        byte[] data = StorageContractTest.data((int) PART, i);
        parts.get(i).write(data, 0, data.length);
        assertThat(contentOf(parts.get(i))).isEqualTo(data);
      }
      assertThat(ownSpoolFiles()).isEqualTo(spoolsBefore + 1);
    } finally {
      for (PartBuffer p : parts) {
        p.close();
      }
    }
    assertThat(memory.available()).isEqualTo(memory.capacity());
    assertThat(ownSpoolFiles()).isEqualTo(spoolsBefore);

    // what was given back serves the next parts
    try (PartBuffer a = PartBuffer.forPart(PART, memory);
        PartBuffer b = PartBuffer.forPart(PART, memory)) {
      assertThat(a).isInstanceOf(PartBuffer.InMemory.class);
      assertThat(b).isInstanceOf(PartBuffer.InMemory.class);
    }
    assertThat(memory.available()).isEqualTo(memory.capacity());
  }

  @Test
  void aPartIsChargedWholeBlocks_andClosingTwiceGivesBackOnce() throws Exception {
    PartMemory memory = new PartMemory(3L * PartMemory.BLOCK);
    PartBuffer small = PartBuffer.forPart(1, memory);
    assertThat(memory.available()).isEqualTo(2L * PartMemory.BLOCK);
    small.close();
    small.close();
    assertThat(memory.available()).isEqualTo(memory.capacity());
    try (PartBuffer tooBig = PartBuffer.forPart(3L * PartMemory.BLOCK + 1, memory)) {
      assertThat(tooBig).isInstanceOf(PartBuffer.Spooled.class);
    }
  }
}
