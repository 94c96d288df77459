package io.backydb.cli;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.backup.BackupRewrap;
import io.backydb.backup.KeyUsage;
import io.backydb.config.ConfigLoader;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import io.backydb.keys.KeyProviders;
import io.backydb.keys.Keystore;
import io.backydb.keys.LocalKeystoreProvider;
import io.backydb.storage.BackupStorage;
import io.backydb.storage.Storages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code backy keys generate|rotate|retire|list}: the key pairs of the keystore that encrypts
 * backups. Without {@code --config} the keystore is the local one ({@code LOCAL_KEY_STORE_PATH});
 * with it, the config's {@code security} section chooses ({@code local} or {@code gcp}).
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Generate, rotate, list and retire the key pairs that encrypt backups.",
    subcommands = {
      KeysCommand.Generate.class,
      KeysCommand.Rotate.class,
      KeysCommand.Retire.class,
      KeysCommand.ListKeys.class
    })
final class KeysCommand implements Runnable {

  @Spec CommandSpec spec;

  private final Environment env;

  KeysCommand(Environment env) {
    this.env = env;
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a keys command is required: generate, rotate, retire or list");
  }

  Keystore keystore(Path config) {
    SecurityConfig security =
        config == null
            ? new SecurityConfig(true, "keystore", "local", SecurityConfig.DEFAULT_KEY_SIZE, null)
            : ConfigLoader.backupFromFile(config).security();
    return KeyProviders.keystoreForConfig(security, env);
  }

  /** Options every keys subcommand takes. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Backup config whose security section names the keystore (default: the local"
                + " keystore in LOCAL_KEY_STORE_PATH).")
    Path config;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Create the keystore's first key pair (backups also do on first use).",
        "Prints the current key id; an existing key pair is kept."
      })
  static final class Generate extends Sub {
    @Override
    public Integer call() {
      try (Keystore ks = parent.keystore(config)) {
        boolean existed = ks.hasCurrentKey();
        String id = ks.currentKeyId();
        out().println(existed ? "Key " + id + " exists already" : "Generated key " + id);
        out().println(id);
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Make a new key pair the current one; new backups use it.",
        "With --config, the data keys of the encrypted backups in the config's storage are then"
            + " re-wrapped under it (only their headers change), so the old key pair can be"
            + " retired (see docs/security.md). The old key pairs stay until you retire them."
      })
  static final class Rotate extends Sub {
    @Override
    public Integer call() throws java.io.IOException {
      try (Keystore ks = parent.keystore(config)) {
        // the storage is opened before rotating, so a config it cannot use changes nothing
        BackupStorage storage =
            config == null
                ? null
                : Storages.openExisting(ConfigLoader.backupFromFile(config).storage(), parent.env);
        String old = ks.hasCurrentKey() ? ks.currentKeyId() : null;
        // a backup running now took the old key when it started, and is no file to re-wrap yet
        List<String> writing =
            storage == null
                ? List.of()
                : storage.beingWritten().stream().filter(n -> n.endsWith(".backy")).toList();
        String id = ks.rotate();
        out().println("Rotated: new backups use key " + id);
        BackupRewrap.Outcome r = null;
        if (storage == null) {
          out().println("Without --config no storage is known: no backup was re-wrapped");
        } else {
          r = BackupRewrap.rewrapAll(storage, ks, out()::println);
          out()
              .printf(
                  "Re-wrapped %d backup(s); %d already current; %d skipped (not encrypted by this"
                      + " keystore); %d failed%n",
                  r.rewrapped().size(), r.current().size(), r.skipped().size(), r.failed().size());
        }
        if (old != null) {
          // with --config, retire checks the storage again, backups finished since included
          out()
              .println(
                  "Key "
                      + old
                      + " stays for older backups until: backy keys retire --key-id "
                      + old
                      + (config == null ? "" : " --config " + config));
          BackupRewrap.Outcome done = r;
          List<String> missed =
              done == null
                  ? List.of()
                  : Stream.concat(writing.stream(), done.finishing().stream())
                      .distinct()
                      .filter(n -> !done.rewrapped().contains(n) && !done.current().contains(n))
                      .toList();
          if (!missed.isEmpty()) {
            spec.commandLine()
                .getErr()
                .println(
                    "backy: warning: "
                        + missed.size()
                        + " backup(s) were being written while the key changed and were not"
                        + " re-wrapped ("
                        + String.join(", ", missed)
                        + "): encrypted, they need key "
                        + old
                        + "; once they have finished, run backy keys rotate --config "
                        + config
                        + " again before retiring it");
          }
        }
        out().println(id);
        if (r != null && !r.failed().isEmpty()) {
          throw new BackyException(
              ErrorCode.FAILED,
              // not "keep key <old>": the backups that failed may need other keys (the lines
              // above name them), and the advice would have let someone retire those
              r.failed().size()
                  + " backup(s) could not be re-wrapped (listed above, each with the key it"
                  + " needs): keep those keys until they are");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = {
        "Delete a key pair that is no longer current.",
        "Backups whose data key is still wrapped by it can no longer be restored: with --config,"
            + " a key that still wraps a backup in the config's storage, or may wrap one still"
            + " being written, is refused unless --force is given."
      })
  static final class Retire extends Sub {
    @Option(
        names = "--key-id",
        required = true,
        paramLabel = "ID",
        description = "The key to retire.")
    String keyId;

    @Option(
        names = "--force",
        description =
            "Retire the key even if backups in the config's storage still need it (they can no"
                + " longer be restored).")
    boolean force;

    @Override
    public Integer call() throws java.io.IOException {
      try (Keystore ks = parent.keystore(config)) {
        if (config != null && !force) {
          // deleting the key would make these backups unrestorable for good; a misspelt
          // LOCAL_PATH holds none, which must not pass for "no backup needs the key"
          BackupStorage storage =
              Storages.openExisting(ConfigLoader.backupFromFile(config).storage(), parent.env);
          // a backup still running took its key when it started: deleted now, the backup would
          // be made for nothing. Asked first, so that one committed meanwhile is seen below
          KeyUsage.BeingWritten writing =
              KeyUsage.backupsBeingWrittenWith(storage, ks.name(), keyId);
          if (!writing.all().isEmpty()) {
            throw new BackyException(
                ErrorCode.REFUSED,
                "key "
                    + keyId
                    + (writing.unknown().isEmpty()
                        ? " wraps"
                        : " may wrap (their headers cannot be read yet)")
                    + " the data key of "
                    + writing.all().size()
                    + " backup(s) still being written in the config's storage ("
                    + some(writing.all())
                    + "): wait until they finish, re-wrap them (backy keys rotate --config FILE)"
                    + " and retire it then, or add --force to retire it and lose them");
          }
          List<String> using = KeyUsage.backupsWrappedBy(storage, ks.name(), keyId);
          if (!using.isEmpty()) {
            throw new BackyException(
                ErrorCode.REFUSED,
                "key "
                    + keyId
                    + " still wraps the data key of "
                    + using.size()
                    + " backup(s) in the config's storage ("
                    + some(using)
                    + "): re-wrap them first (backy keys rotate --config FILE), or add --force to"
                    + " retire it and lose them");
          }
        }
        ks.retire(keyId);
        out().println("Retired key " + keyId);
      }
      return 0;
    }
  }

  /** The first three names, then "..." if there are more. */
  private static String some(List<String> names) {
    return String.join(", ", names.subList(0, Math.min(3, names.size())))
        + (names.size() > 3 ? ", ..." : "");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the keystore's key ids, the current one first.")
  static final class ListKeys extends Sub {
    @Override
    public Integer call() {
      try (Keystore ks = parent.keystore(config)) {
        if (ks instanceof LocalKeystoreProvider local) {
          // a misspelt LOCAL_KEY_STORE_PATH is not an empty keystore
          Environment.requireFolder(Environment.LOCAL_KEY_STORE_PATH, local.directory());
        }
        List<String> ids = ks.keyIds();
        if (ids.isEmpty()) {
          out().println("No keys in " + ks.where());
        }
        boolean current = ks.hasCurrentKey();
        for (int i = 0; i < ids.size(); i++) {
          out().println(ids.get(i) + (i == 0 && current ? "  (current)" : ""));
        }
        // the temporary files of local keystore writes that were not removed (one may hold a
        // private key, encrypted), the key secrets of Secret Manager without a version: an
        // operator looking at the keystore learns what they are
        ks.unfinishedWrites().forEach(spec.commandLine().getErr()::println);
      }
      return 0;
    }
  }
}
