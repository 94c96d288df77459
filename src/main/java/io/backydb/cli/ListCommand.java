package io.backydb.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.backydb.BackyException;
import io.backydb.OneLine;
import io.backydb.backup.BackupCatalog;
import io.backydb.backup.IncompleteBackups;
import io.backydb.config.CompressionType;
import io.backydb.config.Environment;
import io.backydb.config.Feature;
import io.backydb.config.StorageConfigs;
import io.backydb.format.BackupMetadata;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.Storages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backy list --config FILE}: the finished backups in the config's storage, newest first,
 * then what backups stopped before their metadata left (or what one still running writes); as a
 * table, or with {@code --json} as one JSON array of {@link ListedBackup} for scripts.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the backups in the storage a config file names, newest first.")
final class ListCommand extends BackyCommand {

  /**
   * Times as ISO-8601 text in UTC, one key per line, {@code "key": value} and {@code []} as a
   * person writes them (Jackson's default indents {@code "key" : value} and {@code [ ]}).
   */
  private static final ObjectWriter JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .writer(
              new DefaultPrettyPrinter(
                      Separators.createDefaultInstance()
                          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                          .withArrayEmptySeparator(""))
                  .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "A backup or restore config; only its storage section is used.")
  Path config;

  @Option(
      names = "--json",
      description =
          "Print one JSON array instead of the table: an object per backup, newest first, then"
              + " the incomplete ones (has_metadata false); [] for none. Keys: see"
              + " docs/operations.md.")
  boolean json;

  ListCommand(Environment env) {
    super(env);
  }

  @Override
  public Integer call() throws Exception {
    // an empty listing of a misspelt LOCAL_PATH would hide the typo
    var storage = Storages.openExisting(StorageConfigs.fromConfigFile(config), env);
    List<String> problems = new ArrayList<>();
    List<BackupCatalog.Entry> entries = new BackupCatalog(storage).list(problems);
    // what a killed backup left without its sidecar: not listed as a backup, but it takes space
    // until a prune removes it
    List<IncompleteBackups.Leftover> incomplete = new IncompleteBackups(storage).list();
    List<String> writing = incomplete.isEmpty() ? List.of() : beingWritten(storage);
    if (json) {
      List<ListedBackup> listed = new ArrayList<>();
      entries.forEach(e -> listed.add(ListedBackup.of(e, name(storage, e))));
      for (IncompleteBackups.Leftover f : incomplete) {
        String name = leftoverName(storage, f);
        listed.add(ListedBackup.of(f, name, stillWritten(name, writing)));
      }
      out().println(JSON.writeValueAsString(listed));
    } else {
      printTable(storage, entries, incomplete, writing);
    }
    for (String p : problems) {
      err().println("backy: warning: unreadable metadata " + OneLine.of(p));
    }
    return 0;
  }

  private void printTable(
      BackupStorage storage,
      List<BackupCatalog.Entry> entries,
      List<IncompleteBackups.Leftover> incomplete,
      List<String> writing) {
    int nameWidth = 0;
    String root = storage.location("x").replaceAll("/x$", "");
    if (entries.isEmpty()) {
      out().println("No backups in " + root);
    } else {
      out().println("Backups in " + root + ", newest first:");
      // names relative to the storage (as backup_path takes them), which end in the start time
      // (UTC): the full location and a start time column repeated the folder and the name on every
      // line, and pushed it far past 100 columns
      Table table =
          new Table(
              new String[] {"BACKUP", "DATABASE", "FEATURES", "ROWS", "SIZE", "FORMAT"}, 3, 4);
      for (BackupCatalog.Entry e : entries) {
        BackupMetadata m = e.metadata();
        table.row(
            name(storage, e),
            m.source().database(),
            m.features().size() == Feature.values().length ? "all" : String.join(",", m.features()),
            Long.toString(m.totalRows()),
            Sizes.human(m.sizes().storedBytes()),
            format(m));
      }
      // the incomplete backups' names, below, line up with the finished ones'
      for (IncompleteBackups.Leftover f : incomplete) {
        table.atLeast(0, leftoverName(storage, f).length());
      }
      nameWidth = table.width(0);
      table.print(out());
    }
    Instant now = Instant.now();
    for (IncompleteBackups.Leftover f : incomplete) {
      String name = leftoverName(storage, f);
      out()
          .printf(
              "%-" + Math.max(nameWidth, 1) + "s  %s, %d file%s, last written %s ago%n",
              name,
              stillWritten(name, writing)
                  ? "being written (a backup that still runs; no metadata yet)"
                  : "incomplete (no metadata)",
              f.files().size(),
              f.files().size() == 1 ? "" : "s",
              Ages.human(Duration.between(f.lastWrite(), now)));
    }
  }

  /** A backup as the BACKUP column names it: relative to the storage, a folder with '/'. */
  private static String name(BackupStorage storage, BackupCatalog.Entry e) {
    String name = storage.nameOf(e.location());
    return (name == null ? e.location() : name) + (folder(e.metadata()) ? "/" : "");
  }

  /**
   * What backups that still run are writing; none where the storage cannot tell (an S3 key that may
   * not list multipart uploads): the leftovers then stay "incomplete".
   */
  private static List<String> beingWritten(BackupStorage storage) {
    try {
      return storage.beingWritten();
    } catch (IOException | BackyException e) {
      return List.of();
    }
  }

  /**
   * Whether a backup that still runs writes into the leftover {@code name} (a folder backup's next
   * file) or its sidecar (a single file's, written just after it).
   */
  private static boolean stillWritten(String name, List<String> writing) {
    String stem =
        name.endsWith("/")
            ? name.substring(0, name.length() - 1)
            : name.replaceFirst("\\.(sql|backy)$", "");
    return writing.stream()
        .anyMatch(n -> n.startsWith(stem + "/") || n.equals(stem + ".metadata.json"));
  }

  /** A leftover as the BACKUP column names a backup: relative to the storage, a folder with '/'. */
  private static String leftoverName(BackupStorage storage, IncompleteBackups.Leftover f) {
    String name = storage.nameOf(f.location());
    return (name == null ? f.location() : name) + (f.folder() ? "/" : "");
  }

  private static boolean folder(BackupMetadata m) {
    return BackupMetadata.LAYOUT_SQL_FILES.equals(m.layout());
  }

  /**
   * How a backup is stored, from its sidecar, in the config's words: its codec ({@code sql}, {@code
   * sql files} for a multiple-files folder), then {@code aes:PROVIDER} if it is encrypted, and its
   * integrity type ({@code hmac}, {@code checksum}), joined by '+': what tells apart backups of one
   * database made with different settings, and what a restore of each needs.
   */
  static String format(BackupMetadata m) {
    List<String> parts = new ArrayList<>();
    String codec = m.compression() == null ? null : m.compression().type();
    if (codec == null || codec.equals(CompressionType.NONE.key())) {
      parts.add(folder(m) ? "sql files" : "sql");
    } else {
      parts.add(codec);
    }
    if (m.encryption() != null) {
      parts.add("aes:" + m.encryption().provider());
    }
    if (m.integrity() != null && m.integrity().type() != null) {
      parts.add(m.integrity().type());
    }
    return String.join("+", parts);
  }
}
