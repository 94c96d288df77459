package io.backydb.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AsyncPipeTest {

  /** More than the queue holds, in writes that do not line up with the chunks. */
  private static byte[] data() {
    byte[] b = new byte[AsyncPipe.CHUNK_SIZE * (AsyncPipe.QUEUE_CHUNKS + 3) + 12_345];
    new Random(8).nextBytes(b);
    return b;
  }

  private static AsyncPipe<String> producing(byte[] data, boolean failAtTheEnd) {
    return AsyncPipe.start(
        "test-producer",
        out -> {
          for (int off = 0; off < data.length; off += 7_001) {
            out.write(data, off, Math.min(7_001, data.length - off));
          }
          if (failAtTheEnd) {
            throw new IOException("disk full");
          }
          return "done";
        });
  }

  @Test
  void transferToDeliversEveryByteInOrderAfterWhatWasReadAlready() throws Exception {
    byte[] data = data();
    try (AsyncPipe<String> pipe = producing(data, false)) {
      byte[] head = pipe.readNBytes(100);
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      long n = pipe.transferTo(rest);

      assertThat(n).isEqualTo(data.length - 100L);
      byte[] all = new byte[data.length];
      System.arraycopy(head, 0, all, 0, 100);
      System.arraycopy(rest.toByteArray(), 0, all, 100, (int) n);
      assertThat(all).isEqualTo(data);
      assertThat(pipe.read()).as("then the end").isEqualTo(-1);
      assertThat(pipe.result().get()).isEqualTo("done");
    }
  }

  @Test
  void transferToFailsWhenTheProducerFailsInsteadOfEndingCleanly() {
    try (AsyncPipe<String> pipe = producing(data(), true)) {
      assertThatThrownBy(() -> pipe.transferTo(new ByteArrayOutputStream()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("test-producer failed: disk full");
    }
  }
}
