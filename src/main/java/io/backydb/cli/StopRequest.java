package io.backydb.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stop request (SIGTERM, Ctrl-C, SIGHUP) while a command runs. The JVM runs its shutdown hooks
 * and then halts, wherever the command is; a backup in the middle of its stream would leave its
 * temporary file, or an unfinished multipart upload, behind. So the hook interrupts the command's
 * thread, which then unwinds through its own failure path (a backup aborts its write and deletes
 * what it had committed, and says so), and lets the JVM halt once the command has returned, or
 * after a grace period shorter than the usual 10 s before a supervisor sends SIGKILL.
 *
 * <p>Not for {@code backy run}: the service has Camel's graceful shutdown, which lets running
 * backups finish.
 */
final class StopRequest implements AutoCloseable {

  static final Duration GRACE = Duration.ofSeconds(8);

  private static volatile boolean received;

  private final Thread command;
  private final Thread hook;
  private final CountDownLatch returned = new CountDownLatch(1);

  private StopRequest(Thread command) {
    this.command = command;
    this.hook = new Thread(this::stop, "backy-stop-request");
  }

  /** Watches for a stop request until {@link #close()}; the current thread runs the command. */
  static StopRequest watch() {
    StopRequest s = new StopRequest(Thread.currentThread());
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** Whether a stop request arrived: the command failed because it was interrupted. */
  static boolean received() {
    return received;
  }

  private void stop() {
    received = true;
    command.interrupt();
    try {
      returned.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The command returned (and printed its last line): a waiting stop request may let Java halt. */
  @Override
  public void close() {
    returned.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran): it returns now that the latch is down
    }
  }
}
