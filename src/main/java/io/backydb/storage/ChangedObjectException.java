package io.backydb.storage;

import java.io.IOException;

/**
 * A stored object no longer holds the bytes of the version it was to be read at: it was replaced or
 * changed since (see {@link BackupStorage#open(String, String)}).
 */
public final class ChangedObjectException extends IOException {

  public ChangedObjectException(String location) {
    super(location + " changed since it was first read");
  }
}
