package io.backydb.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the connection to the database uses TLS ({@code database.tls}): each mode asks for all that
 * the one before it does.
 */
public enum TlsMode {
  /**
   * TLS where the server offers it, plain text where it does not; no certificate is checked but for
   * its validity period (Connector/J refuses an expired certificate in every mode).
   */
  PREFERRED,
  /** TLS or no connection; the certificate is not checked but for its validity period. */
  REQUIRED,
  /** TLS, with a server certificate that chains to a trusted CA. */
  VERIFY_CA,
  /** {@link #VERIFY_CA}, and the certificate names the host connected to. */
  VERIFY_IDENTITY;

  /** The value as written in a config: {@code verify_ca}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the server's certificate is checked against trusted CAs. */
  public boolean verifiesCertificate() {
    return this == VERIFY_CA || this == VERIFY_IDENTITY;
  }

  /**
   * The mode {@code key} names, any case, as {@code database.tls} takes it.
   *
   * @throws IllegalArgumentException naming the key and the modes, if it names none
   */
  static TlsMode ofKey(String key) {
    for (TlsMode m : values()) {
      if (m.key().equalsIgnoreCase(key.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "database.tls must be one of " + keys() + " (got '" + key + "')");
  }

  /** The modes as a config writes them: "preferred, required, verify_ca, verify_identity". */
  static String keys() {
    return Arrays.stream(values()).map(TlsMode::key).collect(Collectors.joining(", "));
  }
}
