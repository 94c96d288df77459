package io.backydb.camel.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.storage.OwnerOnly;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Run history as JSON lines in a local file, one finished run a line, for a single node. */
public final class FileRunHistory implements RunHistory {

  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Logger LOG = LoggerFactory.getLogger(FileRunHistory.class);

  private final Path file;

  public FileRunHistory(Path file) {
    this.file = file.toAbsolutePath();
  }

  @Override
  public synchronized void record(RunRecord run) {
    try {
      Files.createDirectories(file.getParent());
      String line = JSON.writeValueAsString(run) + "\n";
      // owner-only, as the log: a failed run's error can quote a row value
      try (FileChannel ch =
              FileChannel.open(
                  file,
                  Set.of(
                      StandardOpenOption.CREATE,
                      StandardOpenOption.WRITE,
                      StandardOpenOption.APPEND),
                  OwnerOnly.file());
          FileLock ignored = ch.lock()) {
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    } catch (IOException e) {
      throw new BackyException(ErrorCode.FAILED, "cannot record a run in " + file + ": " + e, e);
    }
  }

  @Override
  public List<RunRecord> latest(int limit) {
    if (!Files.exists(file)) {
      return List.of();
    }
    Deque<RunRecord> last = new ArrayDeque<>();
    int broken = 0;
    int firstBroken = 0;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int number = 0;
      while ((line = r.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        RunRecord run;
        try {
          run = JSON.readValue(line, RunRecord.class);
        } catch (JsonProcessingException e) {
          // a line cut short (a crash while it was written) or damaged: the others still count
          if (broken++ == 0) {
            firstBroken = number;
          }
          continue;
        }
        last.addFirst(run);
        if (last.size() > limit) {
          last.removeLast();
        }
      }
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.FAILED, "cannot read the history in " + file + ": " + e.getMessage(), e);
    }
    if (broken > 0) {
      LOG.warn(
          "history file {}: skipped {} unreadable line(s), the first is line {}",
          file,
          broken,
          firstBroken);
    }
    return new ArrayList<>(last);
  }

  @Override
  public String describe() {
    return "file " + file;
  }
}
