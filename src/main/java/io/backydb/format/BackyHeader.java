package io.backydb.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The header of a {@code .backy} file (see {@code docs/format.md}): what the file holds and how to
 * read it back, so a restore needs nothing but the file and its keys or passwords.
 *
 * <p>A header is built while the backup route is set up — the config step creates it with the
 * backup id and integrity parameters, {@code compress} sets the compression, {@code encrypt} adds
 * its section with {@link #encryption(JsonNode)} — and is <b>frozen</b> the first time {@link
 * #bytes()} (or {@link #freeze()}) is called: from then on it never changes, because its {@link
 * #authenticatedBytes() authenticated form} (everything but the wrapped data keys) is the
 * associated data of the payload encryption and is covered by the integrity value. Only key
 * rotation makes a copy with other wrapped keys ({@link #withWrappedKeys}). Setting a section of a
 * frozen header is a programming error ({@link IllegalStateException}).
 */
public final class BackyHeader {

  static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .disable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The key of the encryption section that holds the wrapped data keys: the only part of the header
   * left out of the {@link #authenticatedBytes() authenticated header}, so that key rotation can
   * re-wrap a data key without touching the payload.
   */
  public static final String WRAPPED_KEYS = "wrapped_keys";

  /** What the payload carries once decrypted and decompressed. */
  public static final String PAYLOAD_BUNDLE_1 = "bundle/1";

  /**
   * The compression section.
   *
   * @param type {@code none}, {@code zstd}, {@code zip} or {@code tar}
   * @param level the level used, or null where the codec has none
   */
  public record Compression(String type, Integer level) {}

  /**
   * The integrity section; {@code kdf}, {@code salt}, {@code iterations} and {@code keyCheck} only
   * for {@code hmac}.
   */
  // equals and hashCode compare the arrays' content
  @SuppressWarnings("ArrayRecordComponent")
  public record Integrity(
      String type, String algorithm, String kdf, byte[] salt, int iterations, byte[] keyCheck) {

    public static final String CHECKSUM = "checksum";
    public static final String HMAC = "hmac";

    public boolean isHmac() {
      return HMAC.equals(type);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Integrity i
          && Objects.equals(type, i.type)
          && Objects.equals(algorithm, i.algorithm)
          && Objects.equals(kdf, i.kdf)
          && Arrays.equals(salt, i.salt)
          && iterations == i.iterations
          && Arrays.equals(keyCheck, i.keyCheck);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, algorithm, kdf, Arrays.hashCode(salt), iterations);
    }

    @Override
    public String toString() {
      return "Integrity[" + type + ", " + algorithm + ", " + kdf + ", " + iterations + "]";
    }
  }

  private final String backupId;
  private final Instant created;
  private String payload = PAYLOAD_BUNDLE_1;
  private Compression compression = new Compression("none", null);
  private JsonNode encryption;
  private Integrity integrity;
  private byte[] frozen;
  private byte[] authenticated;

  public BackyHeader(String backupId, Instant created) {
    this.backupId = Objects.requireNonNull(backupId, "backupId");
    this.created = Objects.requireNonNull(created, "created");
  }

  public String backupId() {
    return backupId;
  }

  public Instant created() {
    return created;
  }

  public String payload() {
    return payload;
  }

  public Compression compression() {
    return compression;
  }

  public synchronized void compression(Compression c) {
    checkMutable();
    this.compression = Objects.requireNonNull(c);
  }

  /** The encryption section, or null when the payload is not encrypted. */
  public JsonNode encryption() {
    return encryption == null ? null : encryption.deepCopy();
  }

  /**
   * Sets the encryption section (the encrypt step): {@code {suite, provider, wrapped_keys}}, see
   * {@code docs/format.md}. It must never hold a secret in the clear.
   */
  public synchronized void encryption(JsonNode section) {
    checkMutable();
    if (section != null && !section.isObject()) {
      throw new IllegalArgumentException("the encryption section must be a JSON object");
    }
    this.encryption = section == null ? null : section.deepCopy();
  }

  public Integrity integrity() {
    return integrity;
  }

  public synchronized void integrity(Integrity i) {
    checkMutable();
    this.integrity = i;
  }

  public synchronized boolean isFrozen() {
    return frozen != null;
  }

  /** Freezes the header and returns its bytes, the same on every call. */
  public synchronized byte[] freeze() {
    if (frozen == null) {
      ObjectNode root = toJson();
      frozen = frame(root);
      authenticated = authenticated(root);
    }
    return frozen.clone();
  }

  /**
   * The <b>authenticated header</b> (see {@code docs/format.md}): magic, format version, and the
   * header JSON without {@code encryption.wrapped_keys}, in canonical form (object keys sorted, no
   * whitespace). It is the associated data of the payload encryption and what the integrity value
   * covers together with the payload, so every header field but the wrapped data keys is
   * authenticated and a data key can be re-wrapped (key rotation) without re-encrypting the
   * payload. Freezes the header.
   */
  public synchronized byte[] authenticatedBytes() {
    freeze();
    return authenticated.clone();
  }

  /**
   * A copy of this (frozen or parsed) header whose encryption section holds {@code wrappedKeys}
   * instead of its wrapped data keys; everything else, and so the {@link #authenticatedBytes()
   * authenticated header}, stays the same. The copy is frozen. Used by key rotation.
   */
  public synchronized BackyHeader withWrappedKeys(JsonNode wrappedKeys) {
    if (encryption == null) {
      throw new IllegalStateException("an unencrypted header has no wrapped keys");
    }
    freeze();
    ObjectNode root = (ObjectNode) rawTree();
    ((ObjectNode) root.get("encryption")).set(WRAPPED_KEYS, wrappedKeys.deepCopy());
    byte[] raw = frame(root);
    BackyHeader h =
        parseV1(raw, Arrays.copyOfRange(raw, BackyFormat.PREAMBLE, raw.length), "new header");
    if (!Arrays.equals(h.authenticated, authenticated)) {
      throw new IllegalStateException("re-wrapping changed the authenticated header");
    }
    return h;
  }

  /** The header JSON as it stands in the file (or will). */
  private JsonNode rawTree() {
    try {
      return JSON.readTree(Arrays.copyOfRange(frozen, BackyFormat.PREAMBLE, frozen.length));
    } catch (IOException e) {
      throw new IllegalStateException("the .backy header cannot be read back", e);
    }
  }

  /**
   * The exact header bytes as they stand in the file (magic through the end of the JSON); freezes
   * the header.
   */
  public byte[] bytes() {
    return freeze();
  }

  private void checkMutable() {
    if (frozen != null) {
      throw new IllegalStateException(
          "the .backy header is frozen (it was already written); set its sections before the"
              + " payload starts");
    }
  }

  private ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("backup_id", backupId);
    root.put("created", created.toString());
    root.put("payload", payload);
    ObjectNode c = root.putObject("compression");
    c.put("type", compression.type());
    if (compression.level() == null) {
      c.putNull("level");
    } else {
      c.put("level", compression.level());
    }
    if (encryption == null) {
      root.putNull("encryption");
    } else {
      root.set("encryption", encryption);
    }
    if (integrity == null) {
      root.putNull("integrity");
    } else {
      ObjectNode i = root.putObject("integrity");
      i.put("type", integrity.type());
      i.put("algorithm", integrity.algorithm());
      if (integrity.isHmac()) {
        i.put("kdf", integrity.kdf());
        i.put("salt", java.util.Base64.getEncoder().encodeToString(integrity.salt()));
        i.put("iterations", integrity.iterations());
        i.put("key_check", java.util.HexFormat.of().formatHex(integrity.keyCheck()));
      }
    }
    return root;
  }

  /** The authenticated header for a header JSON tree (see {@link #authenticatedBytes()}). */
  static byte[] authenticated(JsonNode root) {
    JsonNode copy = root.deepCopy();
    JsonNode enc = copy.get("encryption");
    if (enc instanceof ObjectNode e) {
      e.remove(WRAPPED_KEYS);
    }
    return frame(canonical(copy));
  }

  /** {@code node} with the keys of every object sorted; arrays keep their order. */
  private static JsonNode canonical(JsonNode node) {
    if (node.isObject()) {
      ObjectNode sorted = JsonNodeFactory.instance.objectNode();
      java.util.List<String> names = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      java.util.Collections.sort(names);
      for (String n : names) {
        sorted.set(n, canonical(node.get(n)));
      }
      return sorted;
    }
    if (node.isArray()) {
      var array = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> array.add(canonical(e)));
      return array;
    }
    return node;
  }

  /** Magic, format version, JSON length and the JSON. */
  private static byte[] frame(JsonNode root) {
    try {
      byte[] json = JSON.writeValueAsBytes(root);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(BackyFormat.PREAMBLE + json.length);
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(BackyFormat.MAGIC);
      out.writeShort(BackyFormat.VERSION);
      out.writeInt(json.length);
      out.write(json);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("the .backy header cannot be serialised", e);
    }
  }

  /** Reads a version-1 header from its JSON; {@code raw} are the exact bytes it was read from. */
  static BackyHeader parseV1(byte[] raw, byte[] json, String where) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new IOException("not a JSON object");
      }
      byte[] authenticated = authenticated(root);
      BackyHeader h =
          new BackyHeader(text(root, "backup_id"), Instant.parse(text(root, "created")));
      h.payload = text(root, "payload");
      if (!PAYLOAD_BUNDLE_1.equals(h.payload)) {
        throw new BackyException(
            ErrorCode.CORRUPT_BACKUP,
            where
                + " holds a payload of kind '"
                + h.payload
                + "' that this BackyDB cannot read; upgrade BackyDB");
      }
      JsonNode c = root.path("compression");
      h.compression =
          new Compression(
              text(c, "type"), c.path("level").isInt() ? c.path("level").intValue() : null);
      JsonNode e = root.get("encryption");
      h.encryption = e == null || e.isNull() ? null : e;
      JsonNode i = root.get("integrity");
      if (i != null && !i.isNull()) {
        String type = text(i, "type");
        if (Integrity.HMAC.equals(type)) {
          h.integrity =
              new Integrity(
                  type,
                  text(i, "algorithm"),
                  text(i, "kdf"),
                  java.util.Base64.getDecoder().decode(text(i, "salt")),
                  i.path("iterations").asInt(),
                  java.util.HexFormat.of().parseHex(text(i, "key_check")));
        } else {
          h.integrity = new Integrity(type, text(i, "algorithm"), null, null, 0, null);
        }
      }
      h.frozen = raw;
      h.authenticated = authenticated;
      return h;
    } catch (IOException | RuntimeException e) {
      if (e instanceof BackyException b) {
        throw b;
      }
      throw new BackyException(
          ErrorCode.CORRUPT_BACKUP,
          where + " has a damaged header (" + firstLine(e.getMessage()) + ")",
          e);
    }
  }

  private static String text(JsonNode node, String key) throws IOException {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual()) {
      throw new IOException("header field '" + key + "' is missing");
    }
    return v.textValue();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
