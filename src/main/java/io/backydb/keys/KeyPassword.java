package io.backydb.keys;

import io.backydb.config.Environment;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The password that encrypts a keystore's private keys ({@code PRIVATE_KEY_PASSWORD}), read only
 * when a private key is made or read. A backup wraps its data key with the current public key, so
 * once the keystore has a key pair a backup host needs neither the password nor the private key;
 * only creating a key pair (the first backup, {@code keys generate}, {@code keys rotate}) and
 * unwrapping (restore) ask for it, and fail naming the variable if it is not set.
 */
final class KeyPassword implements AutoCloseable {

  private final Supplier<char[]> source;
  private char[] value;
  private boolean closed;

  private KeyPassword(Supplier<char[]> source, char[] value) {
    this.source = source;
    this.value = value;
  }

  /** A password given directly (a copy is kept and cleared on {@link #close()}). */
  static KeyPassword of(char[] password) {
    return new KeyPassword(null, password.clone());
  }

  /** {@code PRIVATE_KEY_PASSWORD} from {@code env} on first use; {@code why} ends its error. */
  static KeyPassword fromEnvironment(Environment env, String why) {
    return new KeyPassword(
        () -> env.requireNonEmpty(Environment.PRIVATE_KEY_PASSWORD, why).toCharArray(), null);
  }

  /** The password; the caller must not change or keep the array. */
  synchronized char[] get() {
    if (closed) {
      // its value was overwritten with zeros: a key encrypted under it would open with no password
      throw new IllegalStateException("the keystore's password was used after the keystore closed");
    }
    if (value == null) {
      value = source.get();
    }
    return value;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (value != null) {
      Arrays.fill(value, '\0');
    }
  }
}
