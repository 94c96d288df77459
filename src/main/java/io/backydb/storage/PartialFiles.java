package io.backydb.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hidden temporary files a local backup (and the local keystore) writes before its commit, and
 * how a later run tells an abandoned one (its process was killed) from one still being written.
 *
 * <p>A name says who writes it: {@code .NAME.<machine>.<pid>.<random>.partial}. A pid means
 * something only where it was taken, so {@code machine} identifies this host's current boot and
 * this process's pid namespace (a container has its own): two service nodes on different hosts, or
 * in different containers, that share one folder never take each other's running backup for a dead
 * one. A file of another machine, or of a process whose pid was reused, is abandoned once nobody
 * has written to it for {@link #FOREIGN_ABANDONED_AFTER}.
 *
 * <p>The same names and rule serve the process's scratch files in {@code java.io.tmpdir} (the
 * encrypted spool, the database's trust store), which have no target to become: {@link
 * #removeAbandoned} clears those a killed process left.
 */
public final class PartialFiles {

  static final String SUFFIX = ".partial";

  /**
   * Exactly the names {@link #beside} gives, and those of older BackyDB versions ({@code
   * .NAME.<pid>.<uuid>.partial}, {@code .NAME.<uuid>.partial}): anything else ending in {@code
   * .partial} (a browser's download, {@code notes.partial}) is not ours and is never deleted.
   */
  private static final Pattern NAME =
      Pattern.compile(
          "\\.(?<target>[^/\\\\]+?)\\."
              + "(?:(?:(?<machine>m[0-9a-f]{12})\\.)?(?<pid>[0-9]{1,19})\\.)?"
              + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
              + Pattern.quote(SUFFIX));

  /** The storage-wide rule for writes nobody has touched for long ({@link BackupStorage}). */
  static final Duration FOREIGN_ABANDONED_AFTER = BackupStorage.ABANDONED_AFTER;

  /** This process's machine: a hash of the boot id and the pid namespace, or random (see below). */
  static final String MACHINE = machine();

  private PartialFiles() {}

  /** A new temporary file name beside {@code target}, for this process. */
  public static Path beside(Path target) {
    return target.resolveSibling(
        "."
            + target.getFileName()
            + "."
            + MACHINE
            + "."
            + ProcessHandle.current().pid()
            + "."
            + UUID.randomUUID()
            + SUFFIX);
  }

  /** Whether {@code name} is a temporary file name BackyDB gives (now or in an older version). */
  public static boolean isTemporary(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * The name of the file a temporary file {@code name} becomes on commit ({@code NAME} of {@code
   * .NAME.<machine>.<pid>.<uuid>.partial}), or null for a name BackyDB does not give.
   */
  static String target(String name) {
    Matcher m = NAME.matcher(name);
    return m.matches() ? m.group("target") : null;
  }

  /**
   * Whether the file {@code name}, last written at {@code lastWrite}, is an abandoned temporary
   * file. A name BackyDB does not give ({@link #isTemporary}) never is, however old.
   */
  public static boolean abandoned(String name, Instant lastWrite, Instant now) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return false;
    }
    if (lastWrite.plus(FOREIGN_ABANDONED_AFTER).isBefore(now)) {
      return true;
    }
    if (!MACHINE.equals(m.group("machine"))) {
      return false; // another machine's, or named before machines were: wait for its age
    }
    try {
      long pid = Long.parseLong(m.group("pid"));
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Deletes the abandoned ({@link #abandoned}) temporary files for {@code target} in its folder,
   * those {@link #beside} names for it, and those of {@code legacy}, the names older versions gave
   * them (which say nothing of their process), once untouched for {@link #FOREIGN_ABANDONED_AFTER}.
   * Best effort: a folder or file that cannot be read or deleted is left as it is. Returns the
   * files removed.
   */
  public static List<Path> removeAbandoned(Path target, Pattern legacy) {
    Path dir = target.toAbsolutePath().getParent();
    String targetName = target.getFileName().toString();
    Instant now = Instant.now();
    List<Path> removed = new ArrayList<>();
    DirectoryStream.Filter<Path> candidates =
        f -> {
          String n = f.getFileName().toString();
          return targetName.equals(target(n)) || legacy.matcher(n).matches();
        };
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, candidates)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          Instant written = Files.getLastModifiedTime(f).toInstant();
          boolean gone =
              isTemporary(name)
                  ? abandoned(name, written, now)
                  : written.plus(FOREIGN_ABANDONED_AFTER).isBefore(now);
          if (gone && Files.deleteIfExists(f)) {
            removed.add(f);
          }
        } catch (NoSuchFileException e) {
          // deleted by its own process meanwhile
        } catch (IOException | RuntimeException e) {
          // another's file, or one that cannot be deleted: no reason to fail what runs
        }
      }
    } catch (IOException | RuntimeException e) {
      // a folder that cannot be listed: the write that follows says what is wrong with it
    }
    return removed;
  }

  /**
   * Linux's boot id (new at every boot of every host) and the pid namespace's inode (one per
   * container). Where they cannot be read, a random id: this process then knows only its own files,
   * and other files are removed by age alone, which is slower but never wrong.
   */
  private static String machine() {
    String id;
    try {
      id =
          Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim()
              + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      id = UUID.randomUUID().toString();
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "m" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
