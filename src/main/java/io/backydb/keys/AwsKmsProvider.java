package io.backydb.keys;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.component.aws2.kms.KMS2Configuration;
import org.apache.camel.component.aws2.kms.client.KMS2ClientFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code security.type: kms}, {@code provider: aws}: envelope encryption with AWS KMS. A new
 * backup's data key comes from {@code GenerateDataKey} (AES_256) under the KMS key {@code
 * security.key_id} (a key id, ARN or {@code alias/...}); restore sends the wrapped key to {@code
 * Decrypt}. Every call carries the encryption context {@code {"backup_id": <backup id>}}, so a
 * wrapped key only decrypts for its own backup, and CloudTrail logs name the backup.
 *
 * <p>The {@link KmsClient} is the AWS SDK v2 client that Camel's {@code aws2-kms} component
 * configures ({@link KMS2ClientFactory}), from {@code AWS_ACCESS_KEY_ID}, {@code
 * AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN} if set) and {@code AWS_REGION}. {@code
 * AWS_KMS_ENDPOINT} overrides the endpoint, for KMS-compatible services (e.g. LocalStack) and
 * tests.
 */
public final class AwsKmsProvider implements KeyProvider {

  public static final String NAME = "aws";
  public static final String AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN";
  public static final String AWS_REGION = "AWS_REGION";
  public static final String AWS_KMS_ENDPOINT = "AWS_KMS_ENDPOINT";

  /** The encryption context key that binds a data key to its backup. */
  public static final String CONTEXT_BACKUP_ID = "backup_id";

  private final KmsClient kms;
  private final String keyId;

  /**
   * Uses {@code kms} (which this provider closes) and KMS key {@code keyId} for new data keys; may
   * be null for a provider that only unwraps (the wrapped key names its KMS key).
   */
  public AwsKmsProvider(KmsClient kms, String keyId) {
    this.kms = kms;
    this.keyId = keyId;
  }

  /** From the AWS environment variables; {@code keyId} is {@code security.key_id} (or null). */
  public static AwsKmsProvider fromEnvironment(Environment env, String keyId) {
    String why = "for AWS KMS (security.type kms)";
    KMS2Configuration cfg = new KMS2Configuration();
    cfg.setAccessKey(env.requireNonEmpty(AWS_ACCESS_KEY_ID, why));
    cfg.setSecretKey(env.requireNonEmpty(AWS_SECRET_ACCESS_KEY, why));
    cfg.setRegion(env.requireNonEmpty(AWS_REGION, why));
    Optional<String> token = env.get(AWS_SESSION_TOKEN).filter(s -> !s.isBlank());
    if (token.isPresent()) {
      cfg.setUseSessionCredentials(true);
      cfg.setSessionToken(token.get());
    }
    Optional<String> endpoint = env.get(AWS_KMS_ENDPOINT).filter(s -> !s.isBlank());
    if (endpoint.isPresent()) {
      checkEndpoint(endpoint.get());
      cfg.setOverrideEndpoint(true);
      cfg.setUriEndpointOverride(endpoint.get());
    }
    try {
      return new AwsKmsProvider(KMS2ClientFactory.getKmsClient(cfg), keyId);
    } catch (SdkException | IllegalArgumentException e) {
      throw new BackyException(
          ErrorCode.CONFIG, "cannot set up the AWS KMS client: " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Refuses an {@code AWS_KMS_ENDPOINT} that is not an http(s) URL with a host: the SDK's own error
   * ("Illegal character in scheme name at index 0") named neither the variable nor the form.
   */
  private static void checkEndpoint(String endpoint) {
    java.net.URI uri = null;
    try {
      uri = new java.net.URI(endpoint.strip());
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "environment variable "
              + AWS_KMS_ENDPOINT
              + " ("
              + endpoint
              + ") is not an endpoint URL: use http(s)://host:port, or leave it unset for AWS");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  private String requireKeyId() {
    if (keyId == null || keyId.isBlank()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "security.key_id is required with security.type kms: the KMS key id, ARN or alias");
    }
    return keyId;
  }

  @Override
  public DataKey newDataKey(String backupId) {
    String kid = requireKeyId();
    GenerateDataKeyResponse r =
        call(
            "GenerateDataKey",
            kid,
            backupId,
            () ->
                kms.generateDataKey(
                    b ->
                        b.keyId(kid)
                            .keySpec(DataKeySpec.AES_256)
                            .encryptionContext(context(backupId))));
    byte[] dek = r.plaintext().asByteArray();
    try {
      return new DataKey(
          dek,
          new WrappedKey(
              NAME,
              r.keyId(),
              WrappedKey.AWS_KMS,
              r.ciphertextBlob().asByteArray(),
              context(backupId)));
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  @Override
  public WrappedKey wrap(byte[] dek, String backupId) {
    String kid = requireKeyId();
    EncryptResponse r =
        call(
            "Encrypt",
            kid,
            backupId,
            () ->
                kms.encrypt(
                    b ->
                        b.keyId(kid)
                            .plaintext(SdkBytes.fromByteArray(dek))
                            .encryptionContext(context(backupId))));
    return new WrappedKey(
        NAME, r.keyId(), WrappedKey.AWS_KMS, r.ciphertextBlob().asByteArray(), context(backupId));
  }

  @Override
  public byte[] unwrap(WrappedKey key, String backupId) {
    if (!WrappedKey.AWS_KMS.equals(key.algorithm())) {
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "backup "
              + backupId
              + " names key wrapping algorithm '"
              + key.algorithm()
              + "', which AWS KMS does not use: the header was changed");
    }
    DecryptResponse r =
        call(
            "Decrypt",
            key.keyId(),
            backupId,
            () ->
                kms.decrypt(
                    b ->
                        b.keyId(key.keyId())
                            .ciphertextBlob(SdkBytes.fromByteArray(key.wrapped()))
                            .encryptionContext(context(backupId))));
    byte[] dek = r.plaintext().asByteArray();
    if (dek.length != DataKey.SIZE_BYTES) {
      Arrays.fill(dek, (byte) 0);
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          "AWS KMS returned a "
              + dek.length
              + "-byte data key for backup "
              + backupId
              + ": not a BackyDB data key");
    }
    return dek;
  }

  private static Map<String, String> context(String backupId) {
    return Map.of(CONTEXT_BACKUP_ID, backupId);
  }

  private <T> T call(
      String operation, String kid, String backupId, java.util.function.Supplier<T> c) {
    try {
      return c.get();
    } catch (KmsException e) {
      String error = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
      String what = "AWS KMS refused " + operation + " with key " + kid + " for backup " + backupId;
      if ("InvalidCiphertextException".equals(error) || "IncorrectKeyException".equals(error)) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            what
                + " ("
                + error
                + "): the wrapped data key or the backup id it is bound to was changed, or it"
                + " belongs to another key",
            e);
      }
      ErrorCode code =
          switch (error) {
            case "AccessDeniedException",
                "NotFoundException",
                "DisabledException",
                "KMSInvalidStateException",
                "UnrecognizedClientException",
                "InvalidSignatureException",
                "IncompleteSignature" ->
                ErrorCode.CONFIG;
            default -> ErrorCode.FAILED;
          };
      throw new BackyException(
          code,
          what
              + " ("
              + error
              + "): "
              + firstLine(
                  e.awsErrorDetails() == null
                      ? e.getMessage()
                      : e.awsErrorDetails().errorMessage()),
          e);
    } catch (SdkClientException e) {
      throw new BackyException(
          ErrorCode.FAILED,
          "cannot reach AWS KMS for " + operation + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  @Override
  public void close() {
    kms.close();
  }
}
