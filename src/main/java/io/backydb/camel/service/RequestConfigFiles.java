package io.backydb.camel.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.backydb.camel.ConfigBodies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which config files a request over a queue may name instead of carrying its config. A body that
 * names a file ({@code nightly.yaml}) makes the service read that file on its own host, so by
 * default none may: whoever can publish to the request queue could otherwise run any readable
 * config, and read pieces of any {@code .yaml} or {@code .json} file in the error a result carries.
 * With {@code backy.requests.config-dir} set, files in that folder may be named (a relative name is
 * taken from it); links that lead out of it are refused.
 *
 * <p>A config carried in the body may name one file of the host too, its {@code database.tls_ca}:
 * the same rule holds for it, or the error a result carries would tell whether any path of the host
 * exists, is a folder or holds a certificate.
 */
final class RequestConfigFiles {

  // JSON is YAML: one reader for both kinds of body
  private static final YAMLMapper BODY = new YAMLMapper();

  private final Path dir;

  /** {@code dir}: the folder (real path) config files may come from; null for none. */
  RequestConfigFiles(Path dir) {
    this.dir = dir;
  }

  /**
   * The body the run gets: the request's own body, or for a config file in the folder its absolute
   * path. Throws {@link IllegalArgumentException} with the reason a named file is refused.
   */
  String check(String body) {
    Path named = body == null ? null : ConfigBodies.fileNamedBy(body);
    if (named == null) {
      checkCaFile(body);
      return body;
    }
    if (dir == null) {
      throw new IllegalArgumentException(
          "the request names a config file ("
              + named
              + ") instead of carrying the config; set "
              + ServiceSettings.REQUESTS_CONFIG_DIR
              + " to the folder requests may take config files from");
    }
    Path file = dir.resolve(named).normalize();
    requireInside(file, "config file " + named);
    return file.toString();
  }

  /**
   * Refuses a {@code database.tls_ca} of a config carried in the body outside the folder; the path
   * is taken as the run takes it (a relative one from the service's working directory). A body that
   * is not a config is left to the run, which says why.
   */
  private void checkCaFile(String body) {
    JsonNode ca;
    try {
      ca = body == null ? null : BODY.readTree(body).path("database").get("tls_ca");
    } catch (IOException | RuntimeException e) {
      return;
    }
    if (ca == null || !ca.isTextual() || ca.asText().isBlank()) {
      return;
    }
    String named = ca.asText();
    if (dir == null) {
      throw new IllegalArgumentException(
          "the request's database.tls_ca names a file of the service's host ("
              + named
              + "); set "
              + ServiceSettings.REQUESTS_CONFIG_DIR
              + " to the folder requests may take files from, and keep the CA file there");
    }
    requireInside(
        Path.of(named).toAbsolutePath().normalize(), "the request's database.tls_ca " + named);
  }

  /**
   * Refuses {@code file} (normalized) outside the folder, also through a link; says {@code what}.
   */
  private void requireInside(Path file, String what) {
    if (!file.startsWith(dir) || !realPathInside(file)) {
      throw new IllegalArgumentException(
          what + " is not in " + ServiceSettings.REQUESTS_CONFIG_DIR + " (" + dir + ")");
    }
  }

  /** A file that does not exist is inside: the run says it does not exist, which tells nothing. */
  private boolean realPathInside(Path file) {
    if (!Files.exists(file)) {
      return true;
    }
    try {
      return file.toRealPath().startsWith(dir);
    } catch (IOException e) {
      return false;
    }
  }
}
