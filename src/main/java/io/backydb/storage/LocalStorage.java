package io.backydb.storage;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Backups in a local folder ({@code LOCAL_PATH}). An object is written to a hidden temporary file
 * beside its final name ({@link PartialFiles}) and hard-linked into place on commit, so a crash
 * never leaves a half-written file under a backup's name and an existing backup is never
 * overwritten. Files and folders are created readable by the owner only.
 */
public final class LocalStorage implements BackupStorage {

  private final Path root;
  private volatile boolean cleaned;

  public LocalStorage(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** The file behind a name, refusing names that would leave the root. */
  public Path resolve(String name) {
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new BackyException(
          ErrorCode.STORAGE, "object name '" + name + "' is outside the storage folder " + root);
    }
    return p;
  }

  /**
   * Creates a hidden owner-only file in the folder, deleted at once, creating the folder (and its
   * missing parents) first as a write does: a folder the process may not write to, a path under a
   * regular file or a read-only mount fails the backup here, before the dump, with the error its
   * first write would give. The folders created here are removed again (a backup that then failed
   * to connect to its database left an empty folder behind; the first write creates them anew).
   *
   * <p>The file is named as a temporary file ({@link PartialFiles}): where this process is killed
   * before the delete, the next backup's clean-up of abandoned temporary files removes it, and the
   * folder it is in is the backups' own, which the next backup writes into. (The check once made a
   * hidden folder in the nearest existing parent instead, which a kill left there for ever.)
   */
  @Override
  public void checkDestination() {
    try {
      List<Path> created = new ArrayList<>();
      try {
        Files.delete(createFile(PartialFiles.beside(root.resolve("backydb-check")), created));
      } finally {
        // the deepest first; one another backup has written into meanwhile stays
        for (int i = created.size() - 1; i >= 0; i--) {
          try {
            Files.delete(created.get(i));
          } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            break;
          }
        }
      }
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.STORAGE, "writing " + root + " failed: " + WriteFailures.why(e), e);
    }
  }

  @Override
  public PendingWrite create(String name) throws IOException {
    Path target = resolve(name);
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    createDirectories(target.getParent(), new ArrayList<>());
    if (!cleaned) {
      cleaned = true;
      cleanPartials();
    }
    // the name says which process writes it, so a later run can tell whether it is abandoned
    Path temp = createFile(PartialFiles.beside(target), new ArrayList<>());
    OutputStream out =
        new BufferedOutputStream(Files.newOutputStream(temp, StandardOpenOption.WRITE), 1 << 16);
    return new LocalPendingWrite(target, temp, out);
  }

  /**
   * Creates the owner-only file {@code file}, and first its missing folders (adding those it
   * created to {@code made}). Once more where its folder vanished meanwhile: another backup's
   * {@link #checkDestination} removes the folder it created, which may be the one this one found.
   */
  private Path createFile(Path file, List<Path> made) throws IOException {
    createDirectories(file.getParent(), made);
    try {
      return Files.createFile(file, OwnerOnly.file());
    } catch (NoSuchFileException e) {
      createDirectories(file.getParent(), made);
      return Files.createFile(file, OwnerOnly.file());
    }
  }

  /**
   * Creates {@code dir} and its missing parents owner-only; adds those it created to {@code made}.
   */
  private void createDirectories(Path dir, List<Path> made) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getParent() != null) {
      createDirectories(dir.getParent(), made);
    }
    try {
      Files.createDirectory(dir, OwnerOnly.folder());
      made.add(dir);
    } catch (FileAlreadyExistsException e) {
      // created concurrently: fine
    } catch (AccessDeniedException e) {
      throw new BackyException(
          ErrorCode.STORAGE, "cannot create folder " + dir + ": permission denied");
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(resolve(name));
  }

  @Override
  public String version(String name) throws IOException {
    return version(Files.readAttributes(resolve(name), BasicFileAttributes.class));
  }

  private static String version(BasicFileAttributes a) {
    // the file key (device and inode) changes when the file is replaced, as a rename onto it does;
    // size and time when it is written in place
    return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().toInstant();
  }

  @Override
  public InputStream open(String name, String version) throws IOException {
    Path p = resolve(name);
    InputStream in = Files.newInputStream(p);
    // checked after opening: a replacement before the open shows in the attributes, one after it
    // does not matter, since the open stream reads the file it opened
    try {
      if (!version(Files.readAttributes(p, BasicFileAttributes.class)).equals(version)) {
        throw new ChangedObjectException(location(name));
      }
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
    return in;
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(resolve(name));
  }

  @Override
  public long size(String name) throws IOException {
    return Files.size(resolve(name));
  }

  @Override
  public List<String> list(String suffix) throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    for (Path p : regularFiles().keySet()) {
      String n = root.relativize(p).toString().replace('\\', '/');
      if (n.endsWith(suffix) && !n.endsWith(PartialFiles.SUFFIX) && !n.startsWith(".")) {
        names.add(n);
      }
    }
    return names;
  }

  /**
   * Looks at every entry of the folder, hidden temporary files included: a backup still writing
   * into it keeps its temporary file's modification time fresh.
   */
  @Override
  public Instant lastWriteUnder(String folder) throws IOException {
    Path dir = resolve(folder);
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Instant last = null;
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        Instant t;
        try {
          t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (NoSuchFileException e) {
          t = Instant.now(); // a temporary file committed or removed meanwhile
        }
        last = last == null || t.isAfter(last) ? t : last;
      }
    } catch (NoSuchFileException e) {
      return null; // the folder was removed meanwhile
    }
    return last;
  }

  @Override
  public Instant lastModified(String name) throws IOException {
    try {
      return Files.getLastModifiedTime(resolve(name), LinkOption.NOFOLLOW_LINKS).toInstant();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public void delete(String name) throws IOException {
    Path p = resolve(name);
    Files.deleteIfExists(p);
    removeFolderIfEmpty(p.getParent());
  }

  /** Removes the folder of a multi-file backup once it is empty. */
  private void removeFolderIfEmpty(Path folder) throws IOException {
    if (folder != null && !folder.equals(root)) {
      try (Stream<Path> rest = Files.list(folder)) {
        if (rest.findAny().isEmpty()) {
          Files.deleteIfExists(folder);
        }
      } catch (NoSuchFileException | DirectoryNotEmptyException e) {
        // already gone, or another backup writes into it meanwhile
      }
    }
  }

  @Override
  public String location(String name) {
    return resolve(name).toString();
  }

  @Override
  public String nameOf(String location) {
    Path p = Path.of(location);
    Path abs = p.isAbsolute() ? p.normalize() : root.resolve(p).normalize();
    if (!abs.startsWith(root) || abs.equals(root)) {
      return null;
    }
    return root.relativize(abs).toString().replace('\\', '/');
  }

  /**
   * Deletes temporary files left by a backup whose process was killed; returns how many. Only files
   * named as BackyDB names its temporary files ({@link PartialFiles}) are candidates. A temporary
   * file of a process that is still running (another backup in progress, here or on another host
   * sharing the folder) is kept ({@link PartialFiles#abandoned}). Runs by itself before this
   * storage's first write.
   */
  @Override
  public int cleanPartials() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int n = 0;
    Instant now = Instant.now();
    for (Map.Entry<Path, BasicFileAttributes> f : regularFiles().entrySet()) {
      String name = f.getKey().getFileName().toString();
      // only BackyDB's own names: a user's notes.partial or download.sql.partial is not ours
      if (PartialFiles.isTemporary(name)
          && PartialFiles.abandoned(name, f.getValue().lastModifiedTime().toInstant(), now)
          && Files.deleteIfExists(f.getKey())) {
        n++;
        removeFolderIfEmpty(f.getKey().getParent());
      }
    }
    return n;
  }

  @Override
  public List<String> beingWritten() throws IOException {
    return List.copyOf(unfinishedWrites().keySet());
  }

  /** Reads the temporary file of the write, the only one of its name that runs. */
  @Override
  public InputStream openBeingWritten(String name) throws IOException {
    List<Path> temps = unfinishedWrites().get(nameOf(resolve(name).toString()));
    if (temps == null) {
      throw new NoSuchFileException(location(name));
    }
    // two backups writing one name: the first to commit keeps it, the other fails
    return temps.size() == 1 ? Files.newInputStream(temps.get(0)) : null;
  }

  /**
   * The temporary files of the writes that run ({@link PartialFiles#abandoned}), by the name they
   * are committed under.
   */
  private Map<String, List<Path>> unfinishedWrites() throws IOException {
    Map<String, List<Path>> writes = new LinkedHashMap<>();
    if (!Files.isDirectory(root)) {
      return writes;
    }
    Instant now = Instant.now();
    for (Map.Entry<Path, BasicFileAttributes> f : regularFiles().entrySet()) {
      String name = f.getKey().getFileName().toString();
      String target = PartialFiles.target(name);
      if (target != null
          && !PartialFiles.abandoned(name, f.getValue().lastModifiedTime().toInstant(), now)) {
        writes
            .computeIfAbsent(
                root.relativize(f.getKey().resolveSibling(target)).toString().replace('\\', '/'),
                n -> new ArrayList<>())
            .add(f.getKey());
      }
    }
    return writes;
  }

  /**
   * The files in the root folder and its subfolders (backup names have at most one folder). Other
   * backups may write to the same folder meanwhile (two schedules, two service nodes): a file that
   * vanishes between the folder's listing and its turn, as a temporary file does on commit, is left
   * out instead of failing the walk.
   */
  private Map<Path, BasicFileAttributes> regularFiles() throws IOException {
    Map<Path, BasicFileAttributes> found = new LinkedHashMap<>();
    Files.walkFileTree(
        root,
        Set.of(),
        2,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              found.put(file, attrs);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return found;
  }

  private static final class LocalPendingWrite implements PendingWrite {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean done;

    LocalPendingWrite(Path target, Path temp, OutputStream out) {
      this.target = target;
      this.temp = temp;
      this.out = out;
    }

    @Override
    public OutputStream stream() {
      return out;
    }

    @Override
    public String commit() throws IOException {
      try {
        out.flush();
        if (out instanceof java.io.FilterOutputStream) {
          // force the data to disk before the name appears
          out.close();
        }
        try (var ch = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        // link(2) fails if the target exists: an existing backup is never replaced
        Files.createLink(target, temp);
        Files.delete(temp);
        done = true;
        return target.toString();
      } catch (IOException | RuntimeException e) {
        abort();
        throw e;
      }
    }

    @Override
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      try {
        out.close();
      } catch (IOException ignored) {
        // the file is deleted next
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: a later run's cleanPartials removes it
      }
    }
  }
}
