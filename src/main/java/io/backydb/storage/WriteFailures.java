package io.backydb.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The words for a failed write to the storage, for the one line that names where it failed. */
public final class WriteFailures {

  private WriteFailures() {}

  /** The first line of the error, with what the operating system said when it says only a path. */
  public static String why(IOException e) {
    String why =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getMessage().lines().findFirst().orElse("");
    if (e instanceof FileSystemException fs && fs.getReason() == null) {
      // its message is only the path (a folder under /proc is a NoSuchFileException): say why
      why = why + ": " + reason(fs);
    }
    return why;
  }

  /** What the operating system said, for a file system error that carries no reason. */
  private static String reason(FileSystemException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    return e.getClass().getSimpleName();
  }
}
