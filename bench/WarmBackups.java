import io.backydb.BackyDB;
import io.backydb.backup.BackupResult;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Backs up the same configuration N times in one JVM, as BackyDB's long-running service does for
 * scheduled backups, and prints each backup's wall time: the first pays the JVM's start-up and JIT
 * warm-up, the later ones show what a warm process costs. Each backup is deleted after it is timed.
 *
 * <p>Run as a single-file program against the built jar (bench.py does this):
 * {@code java -cp "target/backydb.jar:target/lib/*" bench/WarmBackups.java CONFIG N}
 */
public class WarmBackups {
  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    try (BackyDB backy = new BackyDB()) {
      for (int i = 1; i <= count; i++) {
        long start = System.nanoTime();
        BackupResult result = backy.backup(config);
        System.out.printf("backup %d: %.2f s%n", i, (System.nanoTime() - start) / 1e9);
        Files.deleteIfExists(Path.of(result.location()));
      }
    }
  }
}
