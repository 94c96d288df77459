package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import io.backydb.config.SecurityConfig;
import java.util.Locale;

/** Makes the {@link KeyProvider} a backup config or a backup's header asks for. */
public final class KeyProviders {

  private KeyProviders() {}

  /**
   * The provider for {@code security.type} / {@code security.provider}: {@code keystore}+{@code
   * local}, {@code keystore}+{@code gcp} or {@code kms}+{@code aws}. Secrets come from {@code env}.
   */
  public static KeyProvider forConfig(SecurityConfig security, Environment env) {
    try {
      SecurityConfig.checkTypeAndProvider(security.type(), security.provider());
      SecurityConfig.checkKeySize(security.keySize());
      SecurityConfig.checkKeyLocation(security.type(), security.keyId());
    } catch (IllegalArgumentException e) {
      throw new BackyException(ErrorCode.CONFIG, e.getMessage());
    }
    String type = lower(security.type());
    String provider = lower(security.provider());
    if ("keystore".equals(type)
        && (provider == null || LocalKeystoreProvider.NAME.equals(provider))) {
      return LocalKeystoreProvider.fromEnvironment(env, security.keySize());
    }
    if ("keystore".equals(type) && GcpSecretManagerProvider.NAME.equals(provider)) {
      return GcpSecretManagerProvider.fromEnvironment(env, security.keySize());
    }
    if ("kms".equals(type) && (provider == null || AwsKmsProvider.NAME.equals(provider))) {
      return AwsKmsProvider.fromEnvironment(env, security.keyId());
    }
    // the checks above leave no other combination
    throw new IllegalStateException(
        "no key provider for security.type " + type + ", provider " + provider);
  }

  /**
   * The keystore ({@code local} or {@code gcp}) a config names; refuses KMS, and a config that
   * names no keystore, before it asks the environment for anything: {@code backy keys rotate} with
   * a KMS config asked for AWS credentials only to say then that KMS has no key pairs to rotate,
   * and with a config without encryption said "security.type is required with encryption".
   */
  public static Keystore keystoreForConfig(SecurityConfig security, Environment env) {
    String type = lower(security.type());
    String provider = lower(security.provider());
    if (type == null && provider == null) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "the config names no keystore: backy keys manages the key pairs of security.type"
              + " keystore (provider local or gcp); without --config it uses the local keystore");
    }
    if ("kms".equals(type) || (type == null && AwsKmsProvider.NAME.equals(provider))) {
      throw kmsHasNoKeyPairs();
    }
    KeyProvider p = forConfig(security, env);
    if (p instanceof Keystore k) {
      return k;
    }
    p.close();
    throw kmsHasNoKeyPairs();
  }

  private static BackyException kmsHasNoKeyPairs() {
    return new BackyException(
        ErrorCode.CONFIG,
        "AWS KMS keeps its keys itself: rotate the KMS key in AWS (automatic rotation or"
            + " rotate-key-on-demand); backups made before keep decrypting");
  }

  /**
   * The provider that unwraps a data key, from what the backup's header says ({@link
   * WrappedKey#provider()}, {@link WrappedKey#keyId()}) and {@code env}: a restore needs no config.
   */
  public static KeyProvider forHeader(WrappedKey key, Environment env) {
    return switch (key.provider()) {
      case LocalKeystoreProvider.NAME ->
          LocalKeystoreProvider.fromEnvironment(env, SecurityConfig.DEFAULT_KEY_SIZE);
      case GcpSecretManagerProvider.NAME ->
          GcpSecretManagerProvider.fromEnvironment(env, SecurityConfig.DEFAULT_KEY_SIZE);
      case AwsKmsProvider.NAME -> AwsKmsProvider.fromEnvironment(env, key.keyId());
      default ->
          throw new BackyException(
              ErrorCode.CORRUPT_BACKUP,
              "the backup's data key was wrapped by key provider '"
                  + key.provider()
                  + "', which this BackyDB does not know (local, gcp, aws)");
    };
  }

  private static String lower(String s) {
    return s == null || s.isBlank() ? null : s.strip().toLowerCase(Locale.ROOT);
  }
}
