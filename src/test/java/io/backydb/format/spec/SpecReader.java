package io.backydb.format.spec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A reader of BackyDB backups written from {@code docs/format.md} alone, with the JDK, Jackson,
 * zstd-jni and commons-compress, and no class of BackyDB's own (a test keeps it so): what someone
 * without BackyDB's code needs to get the SQL back out of a backup. It reads whole files into
 * memory, which keeps it short; BackyDB itself streams. The section names in the comments are those
 * of {@code docs/format.md}.
 */
final class SpecReader {

  /** What the reader needs besides the files; null where the backup does not use it. */
  record Secrets(String integrityPassword, Path localKeyStore, String privateKeyPassword) {}

  /** A decoded backup: its SQL files by name, in the order the backup holds them. */
  record Decoded(JsonNode sidecar, JsonNode header, Map<String, byte[]> sqlFiles) {}

  /** A backup this reader must refuse: damaged, changed, or of a version or kind it cannot read. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  // "Duplicate keys in the header JSON make it damaged."
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  // "object keys sorted (by UTF-16 code unit) ... no whitespace": String.compareTo sorts so
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private static final byte[] MAGIC = {(byte) 0x89, 'B', 'A', 'C', 'K', 'Y', '\r', '\n'};
  private static final byte[] END_MARKER = "BACKYEND".getBytes(StandardCharsets.US_ASCII);
  private static final int PREAMBLE = 14;
  private static final int TRAILER = 48;
  private static final int MIB = 1 << 20;
  private static final byte[] COMPLETE = "-- backy:complete\n".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern DUMP_FORMAT = Pattern.compile("(?m)^-- backy:format (\\d+)$");

  /** "The SQL files": the order in which a folder's feature files are applied. */
  static final List<String> FEATURE_ORDER =
      List.of("tables", "functions", "procedures", "views", "data", "triggers", "events");

  private SpecReader() {}

  /** Reads the backup that the sidecar {@code NAME.metadata.json} describes, checking it all. */
  static Decoded read(Path sidecarFile, Secrets secrets) throws IOException {
    Decoded decoded = readChecked(sidecarFile, secrets);
    decoded.sqlFiles().forEach(SpecReader::checkDumpFormat);
    return decoded;
  }

  private static Decoded readChecked(Path sidecarFile, Secrets secrets) throws IOException {
    JsonNode meta = JSON.readTree(sidecarFile.toFile());
    if (meta.path("metadata_version").asInt() > 1) {
      throw new Refused("written by a newer BackyDB (metadata version)");
    }
    // files[].name is relative to the sidecar's own folder
    Path root = sidecarFile.getParent();
    JsonNode files = meta.get("files");
    switch (meta.path("layout").asText()) {
      case "backy" -> {
        JsonNode stored = files.get(0);
        byte[] file = Files.readAllBytes(root.resolve(stored.get("name").asText()));
        checkSizeAndSha256(stored, file);
        Backy backy = readBacky(file, secrets);
        require(backy.header.get("backup_id").equals(meta.get("id")), "sidecar of another backup");
        require(meta.path("format_version").asInt() == 1, "sidecar's format_version");
        if (!meta.path("integrity").isMissingNode() && !meta.path("integrity").isNull()) {
          require(
              meta.get("integrity").get("value").asText().equals(backy.integrityValue),
              "sidecar's integrity value differs from the trailer's");
        }
        return new Decoded(meta, backy.header, backy.files);
      }
      case "sql", "sql-files" -> {
        return new Decoded(meta, null, readPlainSql(meta, root, secrets));
      }
      default -> throw new Refused("unknown layout " + meta.path("layout"));
    }
  }

  // ---------------------------------------------------------------- plain SQL ("Integrity")

  private static Map<String, byte[]> readPlainSql(JsonNode meta, Path root, Secrets secrets)
      throws IOException {
    Integrity integrity = Integrity.of(meta.get("integrity"), secrets);
    List<JsonNode> files = new ArrayList<>();
    meta.get("files").forEach(files::add);
    files.sort(Comparator.comparingInt(f -> FEATURE_ORDER.indexOf(feature(f))));
    Map<String, byte[]> sql = new LinkedHashMap<>();
    for (JsonNode f : files) {
      byte[] bytes = Files.readAllBytes(root.resolve(f.get("name").asText()));
      checkSizeAndSha256(f, bytes);
      if (integrity != null) {
        require(f.get("integrity").asText().equals(hex(integrity.of(bytes))), "file's integrity");
      }
      require(endsWith(bytes, COMPLETE), f.get("name") + " lacks its completion marker");
      sql.put(f.get("name").asText(), bytes);
    }
    if (integrity != null) {
      // the value over the list of files: length-prefixed fields, files sorted by name
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      field(list, "backy plain sql file list v1");
      field(list, meta.get("id").asText());
      files.sort(Comparator.comparing(f -> f.get("name").asText()));
      for (JsonNode f : files) {
        field(list, f.get("name").asText());
        field(list, f.get("bytes").asText());
        field(list, f.get("sha256").asText());
      }
      require(
          meta.get("integrity").get("value").asText().equals(hex(integrity.of(list.toByteArray()))),
          "the integrity value of the list of files");
    }
    return sql;
  }

  /** "The SQL files": a dump format above 2 is refused. */
  private static void checkDumpFormat(String name, byte[] sql) {
    Matcher format =
        DUMP_FORMAT.matcher(new String(sql, 0, Math.min(sql.length, 4096), ISO_8859_1));
    require(format.find(), name + " has no dump format line");
    if (Integer.parseInt(format.group(1)) > 2) {
      throw new Refused(name + " is in a newer dump format " + format.group(1));
    }
  }

  private static String feature(JsonNode file) {
    String name = file.get("name").asText();
    return name.substring(name.lastIndexOf('/') + 1).replaceFirst("\\.sql$", "");
  }

  private static void field(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
    out.writeBytes(b);
  }

  // -------------------------------------------------------- the .backy file, format version 1

  /** A decoded {@code .backy} file; {@code integrityValue} is the trailer's, in hex. */
  record Backy(JsonNode header, String integrityValue, Map<String, byte[]> files) {}

  static Backy readBacky(byte[] file, Secrets secrets) throws IOException {
    require(file.length >= PREAMBLE + TRAILER, "too short to be a .backy file");
    ByteBuffer in = ByteBuffer.wrap(file); // big-endian
    byte[] magic = new byte[8];
    in.get(magic);
    require(Arrays.equals(magic, MAGIC), "not a .backy file (bad magic)");
    int version = Short.toUnsignedInt(in.getShort());
    if (version > 1) {
      throw new Refused("written by a newer BackyDB (format " + version + ")");
    }
    require(version == 1, "damaged header (format version 0)");
    long n = Integer.toUnsignedLong(in.getInt());
    require(n >= 1 && n <= MIB && PREAMBLE + n <= file.length - TRAILER, "header length " + n);
    JsonNode header = JSON.readTree(Arrays.copyOfRange(file, PREAMBLE, PREAMBLE + (int) n));
    require(header.isObject(), "header is not a JSON object");
    if (!"bundle/1".equals(header.path("payload").asText())) {
      throw new Refused("payload of unknown kind " + header.get("payload"));
    }

    // the trailer: the last 48 bytes
    int payloadStart = PREAMBLE + (int) n;
    int trailerStart = file.length - TRAILER;
    ByteBuffer trailer = ByteBuffer.wrap(file, trailerStart, TRAILER);
    byte[] marker = new byte[8];
    trailer.get(marker);
    require(Arrays.equals(marker, END_MARKER), "truncated: no end marker");
    require(trailer.getLong() == trailerStart - payloadStart, "truncated: payload length");
    byte[] value = new byte[32];
    trailer.get(value);
    byte[] payload = Arrays.copyOfRange(file, payloadStart, trailerStart);

    // "The authenticated header" is the encryption's associated data and the integrity's input
    byte[] aad = authenticatedHeader(header);
    Integrity integrity = Integrity.of(header.get("integrity"), secrets);
    if (integrity == null) {
      require(Arrays.equals(value, new byte[32]), "no integrity, yet a value in the trailer");
    } else {
      require(MessageDigest.isEqual(value, integrity.of(aad, payload)), "integrity check failed");
    }

    // "Payload = bundle -> compression -> encryption"; reading goes the other way
    InputStream compressed = new ByteArrayInputStream(payload);
    JsonNode encryption = header.get("encryption");
    if (encryption != null && !encryption.isNull()) {
      byte[] dataKey = unwrapDataKey(encryption, header.get("backup_id").asText(), secrets);
      compressed = new ByteArrayInputStream(decryptPayload(dataKey, aad, payload));
    }
    return new Backy(header, hex(value), decompress(header.get("compression"), compressed));
  }

  static byte[] authenticatedHeader(JsonNode header) throws IOException {
    ObjectNode copy = header.deepCopy();
    if (copy.get("encryption") instanceof ObjectNode e) {
      e.remove("wrapped_keys");
    }
    byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(copy, Object.class));
    return ByteBuffer.allocate(PREAMBLE + canonical.length)
        .put(MAGIC)
        .putShort((short) 1)
        .putInt(canonical.length)
        .put(canonical)
        .array();
  }

  private static Map<String, byte[]> decompress(JsonNode compression, InputStream in)
      throws IOException {
    String type = compression.path("type").asText();
    return switch (type) {
      case "none" -> bundle(in);
      case "zstd" -> bundle(new ZstdInputStream(in));
      case "zip" -> zip(new ZipArchiveInputStream(in));
      case "tar" -> tar(new TarArchiveInputStream(new GzipCompressorInputStream(in)));
      default -> throw new Refused("compressed with unknown codec '" + type + "'");
    };
  }

  private static Map<String, byte[]> zip(ZipArchiveInputStream zip) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (ZipArchiveEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
      files.put(e.getName(), zip.readAllBytes());
    }
    return files;
  }

  private static Map<String, byte[]> tar(TarArchiveInputStream tar) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
      if (e.isFile()) {
        files.put(e.getName(), tar.readAllBytes());
      }
    }
    return files;
  }

  // ------------------------------------------------------------------- Bundle (bundle/1)

  static Map<String, byte[]> bundle(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    try {
      byte[] magic = new byte[4];
      in.readFully(magic);
      require(Arrays.equals(magic, "BKYB".getBytes(StandardCharsets.US_ASCII)), "bundle magic");
      int version = in.readUnsignedByte();
      if (version != 1) {
        throw new Refused("bundle version " + version);
      }
      Map<Integer, String> names = new HashMap<>();
      Map<Integer, ByteArrayOutputStream> open = new HashMap<>();
      Map<String, byte[]> completed = new LinkedHashMap<>();
      while (true) {
        int record = in.readUnsignedByte();
        if (record == 'E') {
          require(open.isEmpty(), "bundle ends with files still open");
          require(in.read() < 0, "data after the bundle's end");
          return completed;
        }
        int id = in.readInt();
        switch (record) {
          case 'F' -> {
            byte[] name = new byte[in.readUnsignedShort()];
            require(name.length >= 1 && name.length <= 1024, "bundle file name length");
            in.readFully(name);
            require(!names.containsKey(id), "bundle file id used twice");
            names.put(id, new String(name, StandardCharsets.UTF_8));
            open.put(id, new ByteArrayOutputStream());
          }
          case 'D' -> {
            byte[] data = new byte[in.readInt()];
            require(data.length >= 1 && data.length <= MIB, "bundle data record length");
            in.readFully(data);
            require(open.containsKey(id), "data for a file that is not open");
            open.get(id).writeBytes(data);
          }
          case 'C' -> {
            require(open.containsKey(id), "a file completed that is not open");
            completed.put(names.get(id), open.remove(id).toByteArray());
          }
          default -> throw new Refused("unknown bundle record " + record);
        }
      }
    } catch (EOFException e) {
      throw new Refused("bundle cut short (no E record)");
    }
  }

  // -------------------------------------------------- Payload encryption (AES256_GCM_HKDF_1MB)

  private static byte[] unwrapDataKey(JsonNode encryption, String backupId, Secrets secrets)
      throws IOException {
    String suite = encryption.path("suite").asText();
    if (!"AES256_GCM_HKDF_1MB".equals(suite)) {
      throw new Refused("encrypted with unknown suite '" + suite + "'");
    }
    String provider = encryption.get("provider").asText();
    require("local".equals(provider), "this reader knows only the local keystore");
    for (JsonNode wrapped : encryption.get("wrapped_keys")) {
      require(provider.equals(wrapped.get("provider").asText()), "wrapped key's provider");
      require("RSA-OAEP-SHA256".equals(wrapped.get("algorithm").asText()), "wrapping algorithm");
      Path pem =
          secrets.localKeyStore().resolve("backydb-" + wrapped.get("key_id").asText() + ".key.pem");
      if (!Files.exists(pem)) {
        continue; // wrapped by another key pair
      }
      try {
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        byte[] label = ("backydb:backup:" + backupId).getBytes(StandardCharsets.UTF_8);
        rsa.init(
            Cipher.DECRYPT_MODE,
            privateKey(Files.readString(pem), secrets.privateKeyPassword()),
            new OAEPParameterSpec(
                "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)));
        return rsa.doFinal(Base64.getDecoder().decode(wrapped.get("wrapped_key").asText()));
      } catch (GeneralSecurityException e) {
        throw new Refused("the data key does not unwrap: " + e);
      }
    }
    throw new Refused("no key pair of the keystore wrapped the data key");
  }

  /** An encrypted PKCS#8 PEM private key (PBES2), as {@code openssl pkey} reads it. */
  private static PrivateKey privateKey(String pem, String password)
      throws GeneralSecurityException, IOException {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(Base64.getDecoder().decode(base64));
    AlgorithmParameters pbes2 = info.getAlgParameters();
    String algorithm = pbes2.toString(); // e.g. PBEWithHmacSHA256AndAES_256
    Cipher cipher = Cipher.getInstance(algorithm);
    cipher.init(
        Cipher.DECRYPT_MODE,
        SecretKeyFactory.getInstance(algorithm)
            .generateSecret(new PBEKeySpec(password.toCharArray())),
        pbes2);
    return KeyFactory.getInstance("RSA").generatePrivate(info.getKeySpec(cipher));
  }

  /**
   * Tink's AES-GCM-HKDF streaming ciphertext, decrypted with javax.crypto: a 40-byte stream header
   * (its length byte, a 32-byte salt, a 7-byte nonce prefix), then segments of 1 MiB of ciphertext
   * (the first 40 bytes shorter), each AES-256-GCM with a 16-byte tag.
   */
  static byte[] decryptPayload(byte[] dataKey, byte[] aad, byte[] ciphertext) {
    require(ciphertext.length >= 40 && ciphertext[0] == 40, "encrypted payload's stream header");
    byte[] salt = Arrays.copyOfRange(ciphertext, 1, 33);
    byte[] noncePrefix = Arrays.copyOfRange(ciphertext, 33, 40);
    try {
      // HKDF-SHA256: extract with the salt, expand one block with the associated data as info
      byte[] prk = hmac(salt, dataKey);
      SecretKeySpec key = new SecretKeySpec(hmac(prk, aad, new byte[] {1}), "AES");
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      int pos = 40;
      for (int segment = 0; ; segment++) {
        int size = segment == 0 ? MIB - 40 : MIB;
        boolean last = ciphertext.length - pos <= size;
        int length = last ? ciphertext.length - pos : size;
        byte[] nonce =
            ByteBuffer.allocate(12)
                .put(noncePrefix)
                .putInt(segment)
                .put((byte) (last ? 1 : 0))
                .array();
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        plain.writeBytes(gcm.doFinal(ciphertext, pos, length));
        pos += length;
        if (last) {
          return plain.toByteArray();
        }
      }
    } catch (GeneralSecurityException e) {
      throw new Refused("backup is damaged or was changed (authentication failed)");
    }
  }

  // -------------------------------------------------------------------------------- Integrity

  /** SHA-256 ({@code checksum}) or HMAC-SHA256 under the key derived from the password. */
  private static final class Integrity {
    private final byte[] macKey; // null for a checksum

    private Integrity(byte[] macKey) {
      this.macKey = macKey;
    }

    /** The integrity section of a header or sidecar; null for none. */
    static Integrity of(JsonNode section, Secrets secrets) {
      if (section == null || section.isNull()) {
        return null;
      }
      String type = section.path("type").asText();
      String algorithm = section.path("algorithm").asText();
      if ("checksum".equals(type) && "SHA-256".equals(algorithm)) {
        return new Integrity(null);
      }
      if (!"hmac".equals(type)
          || !"HMAC-SHA256".equals(algorithm)
          || !"PBKDF2-HMAC-SHA256".equals(section.path("kdf").asText())) {
        throw new Refused("unknown integrity " + type + "/" + algorithm);
      }
      int iterations = section.get("iterations").asInt();
      require(iterations >= 1 && iterations <= 10_000_000, "PBKDF2 iterations " + iterations);
      try {
        byte[] master =
            SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(
                    new PBEKeySpec(
                        secrets.integrityPassword().toCharArray(),
                        Base64.getDecoder().decode(section.get("salt").asText()),
                        iterations,
                        256))
                .getEncoded();
        byte[] keyCheck = hmac(master, ascii("backy integrity key check v1"), new byte[] {1});
        if (!MessageDigest.isEqual(
            keyCheck, HexFormat.of().parseHex(section.get("key_check").asText()))) {
          throw new Refused("INTEGRITY_PASSWORD is wrong for this backup");
        }
        return new Integrity(hmac(master, ascii("backy integrity mac v1"), new byte[] {1}));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    byte[] of(byte[]... parts) {
      try {
        if (macKey == null) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          Arrays.stream(parts).forEach(sha::update);
          return sha.digest();
        }
        return hmac(macKey, parts);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private static byte[] hmac(byte[] key, byte[]... parts) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    Arrays.stream(parts).forEach(mac::update);
    return mac.doFinal();
  }

  private static void checkSizeAndSha256(JsonNode stored, byte[] bytes) {
    require(stored.get("bytes").asLong() == bytes.length, stored.get("name") + ": size");
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
      require(stored.get("sha256").asText().equals(hex(sha)), stored.get("name") + ": SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean endsWith(byte[] bytes, byte[] end) {
    return bytes.length >= end.length
        && Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - end.length, bytes.length), end);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new Refused(problem);
    }
  }
}
