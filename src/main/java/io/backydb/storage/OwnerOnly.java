package io.backydb.storage;

import java.nio.file.FileSystems;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creation attributes for files and folders that only their owner may read: backups, keys, spools
 * and the log, whose error lines can quote row values. On a file system without POSIX permissions
 * there are none to give, and the folder's own access rules apply.
 */
public final class OwnerOnly {

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private OwnerOnly() {}

  /** {@code rw-------}, or nothing where permissions are not POSIX. */
  public static FileAttribute<?>[] file() {
    return attributes("rw-------");
  }

  /** {@code rwx------}, or nothing where permissions are not POSIX. */
  public static FileAttribute<?>[] folder() {
    return attributes("rwx------");
  }

  private static FileAttribute<?>[] attributes(String permissions) {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
        }
        : new FileAttribute<?>[0];
  }
}
