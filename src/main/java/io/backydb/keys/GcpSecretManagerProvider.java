package io.backydb.keys;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretName;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import io.backydb.config.Environment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.google.secret.manager.GoogleSecretManagerClientFactory;
import org.apache.camel.component.google.secret.manager.GoogleSecretManagerConfiguration;
import org.apache.camel.component.google.secret.manager.GoogleSecretManagerConstants;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code security.type: keystore}, {@code provider: gcp}: RSA key pairs kept in Google Secret
 * Manager, in project {@code GCP_PROJECT_ID}, reached with the service account key file {@code
 * GOOGLE_APPLICATION_CREDENTIALS} through Camel's {@code google-secret-manager} component.
 *
 * <p>Secrets: {@code backydb-key-<keyId>} holds one key pair (public key PEM followed by the
 * private key as encrypted PKCS#8 PEM under {@code PRIVATE_KEY_PASSWORD}, the same text as the
 * local keystore's files); {@code backydb-current-key} holds the current key id, one secret version
 * per rotation. Both are created on first use. Retiring a key deletes its secret.
 *
 * <p>Each secret is made by two calls, CreateSecret then AddSecretVersion: a process killed (or cut
 * off) between them leaves a secret without a version. Such a key secret is no key: listing,
 * wrapping and unwrapping pass it by, {@code keys list} names it on stderr and {@code keys retire}
 * deletes it. Such a {@code backydb-current-key} counts as none: the next key creation adds its
 * version (CreateSecret answers ALREADY_EXISTS).
 *
 * <p>{@code GCP_SECRET_MANAGER_ENDPOINT} ({@code host:port}) points the client at a local Secret
 * Manager emulator instead, over plaintext gRPC without credentials: for tests only.
 */
public final class GcpSecretManagerProvider extends RsaKeystore {

  public static final String NAME = "gcp";
  public static final String GOOGLE_APPLICATION_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS";
  public static final String GCP_PROJECT_ID = "GCP_PROJECT_ID";
  public static final String GCP_SECRET_MANAGER_ENDPOINT = "GCP_SECRET_MANAGER_ENDPOINT";

  static final String KEY_SECRET_PREFIX = "backydb-key-";
  static final String CURRENT_SECRET = "backydb-current-key";
  private static final String CLIENT_BEAN = "backydbSecretManagerClient";
  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{" + RsaKeys.KEY_ID_HEX_DIGITS + "}");

  private final String project;
  private final SecretManagerServiceClient client;
  private final CamelContext camel;
  private final ProducerTemplate producer;

  /** Keeps keys in {@code project}, talking through {@code client} (which this provider closes). */
  public GcpSecretManagerProvider(
      SecretManagerServiceClient client, String project, char[] password, int keySize) {
    this(client, project, KeyPassword.of(password), keySize, RsaKeys.PBKDF2_ITERATIONS);
  }

  GcpSecretManagerProvider(
      SecretManagerServiceClient client,
      String project,
      char[] password,
      int keySize,
      int iterations) {
    this(client, project, KeyPassword.of(password), keySize, iterations);
  }

  private GcpSecretManagerProvider(
      SecretManagerServiceClient client,
      String project,
      KeyPassword password,
      int keySize,
      int iterations) {
    super(password, keySize, iterations);
    this.project = project;
    this.client = client;
    this.camel = new DefaultCamelContext();
    camel.getRegistry().bind(CLIENT_BEAN, client);
    camel.start();
    this.producer = camel.createProducerTemplate();
  }

  /**
   * From {@code GCP_PROJECT_ID}, {@code GOOGLE_APPLICATION_CREDENTIALS} (or {@code
   * GCP_SECRET_MANAGER_ENDPOINT}) and {@code PRIVATE_KEY_PASSWORD}.
   */
  public static GcpSecretManagerProvider fromEnvironment(Environment env, int keySize) {
    String project =
        env.requireNonEmpty(GCP_PROJECT_ID, "for Google Secret Manager (security.provider gcp)");
    KeyPassword password =
        KeyPassword.fromEnvironment(env, "to protect the private keys in Secret Manager");
    Optional<String> emulator = env.get(GCP_SECRET_MANAGER_ENDPOINT).filter(s -> !s.isBlank());
    SecretManagerServiceClient client =
        emulator.isPresent()
            ? emulatorClient(emulator.get())
            : credentialsClient(
                env.requireNonEmpty(
                    GOOGLE_APPLICATION_CREDENTIALS,
                    "for Google Secret Manager (security.provider gcp)"));
    return new GcpSecretManagerProvider(
        client, project, password, keySize, RsaKeys.PBKDF2_ITERATIONS);
  }

  /** The client Camel's component builds from a service account key file. */
  private static SecretManagerServiceClient credentialsClient(String keyFile) {
    GoogleSecretManagerConfiguration cfg = new GoogleSecretManagerConfiguration();
    cfg.setServiceAccountKey("file:" + keyFile);
    try (DefaultCamelContext ctx = new DefaultCamelContext()) {
      return GoogleSecretManagerClientFactory.create(ctx, cfg);
    } catch (Exception e) {
      // the JSON parser's message runs over two lines and tells a programmer how to parse
      // leniently; its first line still says where it stopped (never what it read)
      throw new BackyException(
          ErrorCode.CONFIG,
          "cannot use the service account key GOOGLE_APPLICATION_CREDENTIALS ("
              + keyFile
              + "): "
              + firstLine(e.getMessage())
                  .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept ", ""),
          e);
    }
  }

  /** A plaintext client without credentials for a local Secret Manager emulator. */
  static SecretManagerServiceClient emulatorClient(String hostPort) {
    try {
      return SecretManagerServiceClient.create(
          SecretManagerServiceSettings.newBuilder()
              .setCredentialsProvider(NoCredentialsProvider.create())
              .setTransportChannelProvider(
                  InstantiatingGrpcChannelProvider.newBuilder()
                      .setEndpoint(hostPort)
                      .setChannelConfigurator(b -> b.usePlaintext())
                      .build())
              .build());
    } catch (IOException e) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "cannot connect to GCP_SECRET_MANAGER_ENDPOINT " + hostPort + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String where() {
    return "Google Secret Manager (project " + project + ")";
  }

  @Override
  Optional<String> readCurrentId() {
    Optional<String> id = access(CURRENT_SECRET).map(String::strip);
    if (id.isPresent() && !KEY_ID.matcher(id.get()).matches()) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "secret " + CURRENT_SECRET + " in " + where() + " does not hold a key id");
    }
    return id;
  }

  @Override
  void writeCurrentId(String keyId) {
    if (access(CURRENT_SECRET).isEmpty()) {
      try {
        createSecret(CURRENT_SECRET, keyId);
        return;
      } catch (AlreadyExists e) {
        // another process created it meanwhile: add a version instead
      }
    }
    AddSecretVersionRequest req =
        AddSecretVersionRequest.newBuilder()
            .setParent(SecretName.of(project, CURRENT_SECRET).toString())
            .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFromUtf8(keyId)))
            .build();
    call("createSecret&pojoRequest=true", CURRENT_SECRET, ex -> ex.getIn().setBody(req));
  }

  @Override
  Optional<StoredKeyPair> read(String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      return Optional.empty();
    }
    return access(KEY_SECRET_PREFIX + keyId)
        .map(text -> new StoredKeyPair(text, text)); // one PEM text holds both keys
  }

  @Override
  void write(String keyId, StoredKeyPair pair) {
    createSecret(KEY_SECRET_PREFIX + keyId, pair.publicPem() + pair.privatePem());
  }

  @Override
  void delete(String keyId) {
    call("deleteSecret", KEY_SECRET_PREFIX + keyId, ex -> {});
  }

  /**
   * The key pairs held: the key secrets that have a version. A key secret without one is a key
   * creation interrupted between its CreateSecret and its AddSecretVersion (or one running now): no
   * key, see {@link #unfinishedWrites}.
   */
  @Override
  List<String> storedIds() {
    return listedKeyIds().stream().filter(id -> read(id).isPresent()).toList();
  }

  /**
   * One line for each key secret without a version, left by a key creation killed (or cut off)
   * after its CreateSecret: ignored by every operation, listed by {@code keys list}, removed by
   * {@code keys retire}. Not removed here: the next call of a creation running now would fail.
   */
  @Override
  public List<String> unfinishedWrites() {
    return listedKeyIds().stream()
        .filter(id -> read(id).isEmpty())
        .map(
            id ->
                "secret "
                    + KEY_SECRET_PREFIX
                    + id
                    + " in "
                    + where()
                    + " has no version: a key creation interrupted (or one running now), not a"
                    + " key; remove it with backy keys retire --key-id "
                    + id)
        .toList();
  }

  @Override
  boolean deleteUnfinished(String keyId) {
    if (!listedKeyIds().contains(keyId) || read(keyId).isPresent()) {
      return false;
    }
    delete(keyId);
    return true;
  }

  /** The key ids of the key secrets in the project, with a version or not, sorted. */
  private List<String> listedKeyIds() {
    Object body = call("listSecrets", null, ex -> {}).getMessage().getBody();
    List<String> ids = new ArrayList<>();
    if (body instanceof SecretManagerServiceClient.ListSecretsPagedResponse page) {
      for (Secret s : page.iterateAll()) {
        String id = SecretName.parse(s.getName()).getSecret();
        if (id.startsWith(KEY_SECRET_PREFIX)) {
          String keyId = id.substring(KEY_SECRET_PREFIX.length());
          if (KEY_ID.matcher(keyId).matches()) {
            ids.add(keyId);
          }
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  private void createSecret(String secretId, String text) {
    call("createSecret", secretId, ex -> ex.getIn().setBody(text));
  }

  /** The latest version of a secret, or empty if the secret does not exist. */
  private Optional<String> access(String secretId) {
    try {
      Exchange ex =
          call(
              ACCESS,
              secretId,
              e -> e.getIn().setHeader(GoogleSecretManagerConstants.VERSION_ID, "latest"));
      return Optional.of(ex.getMessage().getBody(String.class));
    } catch (NotFound e) {
      return Optional.empty();
    }
  }

  /** The operation that reads a secret's latest version. */
  private static final String ACCESS = "getSecretVersion";

  private Exchange call(String operation, String secretId, Consumer<Exchange> request) {
    String uri =
        "google-secret-manager:" + project + "?client=#" + CLIENT_BEAN + "&operation=" + operation;
    Exchange ex =
        producer.send(
            uri,
            e -> {
              if (secretId != null) {
                e.getIn().setHeader(GoogleSecretManagerConstants.SECRET_ID, secretId);
              }
              request.accept(e);
            });
    Exception failure = ex.getException();
    if (failure == null) {
      return ex;
    }
    ApiException api = apiException(failure);
    if (api != null
        && api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND
        && operation.equals(ACCESS)) {
      throw new NotFound(); // a secret not made yet; anywhere else NOT_FOUND is an error below
    }
    if (api != null
        && api.getStatusCode().getCode() == StatusCode.Code.ALREADY_EXISTS
        && secretId != null
        && secretId.equals(CURRENT_SECRET)) {
      throw new AlreadyExists();
    }
    String reason =
        api != null
            ? api.getStatusCode().getCode() + " " + firstLine(api.getMessage())
            : firstLine(failure.getMessage());
    ErrorCode code =
        api != null
                && (api.getStatusCode().getCode() == StatusCode.Code.PERMISSION_DENIED
                    || api.getStatusCode().getCode() == StatusCode.Code.UNAUTHENTICATED
                    || api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND)
            ? ErrorCode.CONFIG
            : ErrorCode.FAILED;
    throw new BackyException(
        code,
        where()
            + " refused "
            + operation.replace("&pojoRequest=true", "")
            + (secretId == null ? "" : " on secret " + secretId)
            + ": "
            + reason,
        failure);
  }

  private static ApiException apiException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ApiException a) {
        return a;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  @Override
  public void close() {
    super.close();
    try {
      producer.stop();
      camel.stop();
    } finally {
      client.close();
    }
  }

  /** The current-key secret was created by another process between our look and our create. */
  private static final class AlreadyExists extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AlreadyExists() {
      super(null, null, false, false);
    }
  }

  /** A secret that does not exist (the first use of a project). */
  private static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound() {
      super(null, null, false, false);
    }
  }
}
