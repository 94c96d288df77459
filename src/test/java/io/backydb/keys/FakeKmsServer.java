package io.backydb.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local endpoint speaking the AWS KMS JSON protocol ({@code X-Amz-Target: TrentService.X}, {@code
 * application/x-amz-json-1.1}) for the real AWS SDK client: CreateKey-less symmetric keys made by
 * {@link #createKey}, aliases, GenerateDataKey, Encrypt, Decrypt and DescribeKey, with encryption
 * contexts bound as AES-GCM associated data like KMS binds them. Test code only.
 */
public final class FakeKmsServer implements AutoCloseable {

  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "us-east-1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
  private final Map<String, String> aliases = new ConcurrentHashMap<>();
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final HttpServer server;

  public FakeKmsServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create(
        "http://"
            + server.getAddress().getAddress().getHostAddress()
            + ":"
            + server.getAddress().getPort());
  }

  /** A new symmetric key; returns its ARN. */
  public String createKey(String alias) {
    String id = UUID.randomUUID().toString();
    byte[] k = new byte[32];
    random.nextBytes(k);
    keys.put(id, k);
    if (alias != null) {
      aliases.put(alias, id);
    }
    return arn(id);
  }

  /** From now on, answer {@code operation} (e.g. "Decrypt") with AccessDeniedException. */
  public void deny(String operation) {
    denied.add(operation);
  }

  public int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  static String arn(String id) {
    return "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + id;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
      if (target == null || !target.startsWith("TrentService.")) {
        reply(ex, 400, error("UnknownOperationException", "no X-Amz-Target"));
        return;
      }
      if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256")) {
        reply(ex, 400, error("MissingAuthenticationTokenException", "request is not signed"));
        return;
      }
      String op = target.substring("TrentService.".length());
      calls.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
      if (denied.contains(op)) {
        reply(
            ex,
            400,
            error(
                "AccessDeniedException",
                "User: arn:aws:iam::"
                    + ACCOUNT
                    + ":user/backy is not authorized to perform: kms:"
                    + op));
        return;
      }
      try {
        reply(ex, 200, dispatch(op, req));
      } catch (KmsError e) {
        reply(ex, 400, error(e.type, e.getMessage()));
      }
    }
  }

  private ObjectNode dispatch(String op, JsonNode req) throws KmsError {
    switch (op) {
      case "GenerateDataKey" -> {
        String id = resolve(req.path("KeyId").asText(null));
        int bytes =
            req.has("NumberOfBytes")
                ? req.get("NumberOfBytes").asInt()
                : "AES_128".equals(req.path("KeySpec").asText()) ? 16 : 32;
        byte[] plain = new byte[bytes];
        random.nextBytes(plain);
        ObjectNode r = JSON.createObjectNode();
        r.put("CiphertextBlob", encrypt(id, plain, context(req)));
        r.put("Plaintext", plain);
        r.put("KeyId", arn(id));
        return r;
      }
      case "Encrypt" -> {
        String id = resolve(req.path("KeyId").asText(null));
        byte[] plain = Base64.getDecoder().decode(req.path("Plaintext").asText());
        ObjectNode r = JSON.createObjectNode();
        r.put("CiphertextBlob", encrypt(id, plain, context(req)));
        r.put("KeyId", arn(id));
        r.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return r;
      }
      case "Decrypt" -> {
        byte[] blob = Base64.getDecoder().decode(req.path("CiphertextBlob").asText());
        ByteBuffer b = ByteBuffer.wrap(blob);
        if (blob.length < 1 + 36 + 12 + 16 || b.get() != 1) {
          throw new KmsError("InvalidCiphertextException", null);
        }
        byte[] idBytes = new byte[36];
        b.get(idBytes);
        String id = new String(idBytes, StandardCharsets.US_ASCII);
        if (!keys.containsKey(id)) {
          throw new KmsError("InvalidCiphertextException", null);
        }
        if (req.hasNonNull("KeyId") && !resolve(req.get("KeyId").asText()).equals(id)) {
          throw new KmsError(
              "IncorrectKeyException",
              "The key ID in the request does not identify a CMK that can perform this operation.");
        }
        byte[] nonce = new byte[12];
        b.get(nonce);
        byte[] ct = new byte[b.remaining()];
        b.get(ct);
        byte[] plain;
        try {
          Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
          c.init(
              Cipher.DECRYPT_MODE,
              new SecretKeySpec(keys.get(id), "AES"),
              new GCMParameterSpec(128, nonce));
          c.updateAAD(aad(id, context(req)));
          plain = c.doFinal(ct);
        } catch (GeneralSecurityException e) {
          throw new KmsError("InvalidCiphertextException", null);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("Plaintext", plain);
        r.put("KeyId", arn(id));
        r.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return r;
      }
      case "DescribeKey" -> {
        String id = resolve(req.path("KeyId").asText(null));
        ObjectNode r = JSON.createObjectNode();
        ObjectNode m = r.putObject("KeyMetadata");
        m.put("KeyId", id);
        m.put("Arn", arn(id));
        m.put("AWSAccountId", ACCOUNT);
        m.put("Enabled", true);
        m.put("KeyState", "Enabled");
        m.put("KeySpec", "SYMMETRIC_DEFAULT");
        m.put("KeyUsage", "ENCRYPT_DECRYPT");
        return r;
      }
      default -> throw new KmsError("UnknownOperationException", op);
    }
  }

  private String resolve(String keyId) throws KmsError {
    if (keyId == null) {
      throw new KmsError("ValidationException", "KeyId is required");
    }
    String id = keyId;
    if (id.startsWith("arn:aws:kms:")) {
      id = id.substring(id.indexOf(':', "arn:aws:kms:".length() + REGION.length() + 1) + 1);
      if (id.startsWith("key/")) {
        id = id.substring(4);
      }
    }
    if (id.startsWith("alias/")) {
      id = aliases.get(id);
    }
    if (id == null || !keys.containsKey(id)) {
      throw new KmsError("NotFoundException", "Key '" + keyId + "' does not exist");
    }
    return id;
  }

  private static Map<String, String> context(JsonNode req) {
    Map<String, String> ctx = new TreeMap<>();
    JsonNode c = req.path("EncryptionContext");
    for (Map.Entry<String, JsonNode> e : c.properties()) {
      ctx.put(e.getKey(), e.getValue().asText());
    }
    return ctx;
  }

  private static byte[] aad(String id, Map<String, String> ctx) {
    StringBuilder s = new StringBuilder(id).append('\n');
    ctx.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] encrypt(String id, byte[] plain, Map<String, String> ctx) {
    try {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(keys.get(id), "AES"),
          new GCMParameterSpec(128, nonce));
      c.updateAAD(aad(id, ctx));
      byte[] ct = c.doFinal(plain);
      return ByteBuffer.allocate(1 + 36 + 12 + ct.length)
          .put((byte) 1)
          .put(id.getBytes(StandardCharsets.US_ASCII))
          .put(nonce)
          .put(ct)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode error(String type, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.put("__type", type);
    if (message != null) {
      e.put("message", message);
    }
    return e;
  }

  private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static final class KmsError extends Exception {
    private static final long serialVersionUID = 1L;
    final String type;

    KmsError(String type, String message) {
      super(message, null, false, false);
      this.type = type;
    }
  }
}
