package io.backydb.camel.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files a request may name, on real files and links. */
class RequestConfigFilesTest {

  @TempDir Path tmp;
  Path allowed;
  Path outside;

  @BeforeEach
  void setUp() throws Exception {
    allowed = Files.createDirectories(tmp.resolve("configs")).toRealPath();
    Files.writeString(allowed.resolve("nightly.yaml"), "database: {}\n");
    outside = Files.writeString(tmp.resolve("secret.yaml"), "token: s3cr3t\n");
  }

  @Test
  void aConfigInTheBody_passesAsItIs_withOrWithoutAFolder() {
    String yaml = "database:\n  name: shop\n";
    assertThat(new RequestConfigFiles(null).check(yaml)).isEqualTo(yaml);
    assertThat(new RequestConfigFiles(allowed).check(yaml)).isEqualTo(yaml);
  }

  @Test
  void aNamedFile_isRefusedWithoutAFolder() {
    assertThatThrownBy(() -> new RequestConfigFiles(null).check(outside.toString()))
        .hasMessage(
            "the request names a config file ("
                + outside
                + ") instead of carrying the config; set backy.requests.config-dir to the folder"
                + " requests may take config files from");
  }

  @Test
  void aFileOfTheFolder_isTaken_byItsNameOrItsPath() {
    RequestConfigFiles files = new RequestConfigFiles(allowed);
    String path = allowed.resolve("nightly.yaml").toString();
    assertThat(files.check("nightly.yaml")).isEqualTo(path);
    assertThat(files.check(" " + path + "\n")).isEqualTo(path);
    // one that does not exist goes on, and the run says it does not exist
    assertThat(files.check("missing.yaml")).isEqualTo(allowed.resolve("missing.yaml").toString());
  }

  @Test
  void aFileOutsideTheFolder_isRefused_alsoThroughDotsOrALink() throws Exception {
    RequestConfigFiles files = new RequestConfigFiles(allowed);
    Path link = Files.createSymbolicLink(allowed.resolve("link.yaml"), outside);
    for (String named : new String[] {outside.toString(), "../secret.yaml", "link.yaml"}) {
      assertThatThrownBy(() -> files.check(named))
          .as(named)
          .hasMessage(
              "config file "
                  + Path.of(named)
                  + " is not in backy.requests.config-dir ("
                  + allowed
                  + ")");
    }
    assertThat(link).exists();
  }

  @Test
  void aCaFileOfAConfigInTheBody_mustBeInTheFolderToo() throws Exception {
    Path ca = Files.writeString(allowed.resolve("ca.pem"), "not read here\n");
    String inside = "database:\n  tls: verify_ca\n  tls_ca: " + ca + "\n";
    String json = "{\"database\": {\"tls\": \"verify_ca\", \"tls_ca\": \"" + outside + "\"}}";
    assertThatThrownBy(() -> new RequestConfigFiles(null).check(inside))
        .hasMessage(
            "the request's database.tls_ca names a file of the service's host ("
                + ca
                + "); set backy.requests.config-dir to the folder requests may take files from,"
                + " and keep the CA file there");
    RequestConfigFiles files = new RequestConfigFiles(allowed);
    assertThat(files.check(inside)).isEqualTo(inside);
    assertThatThrownBy(() -> files.check(json))
        .hasMessage(
            "the request's database.tls_ca "
                + outside
                + " is not in backy.requests.config-dir ("
                + allowed
                + ")");
    Path link = Files.createSymbolicLink(allowed.resolve("link.pem"), outside);
    assertThatThrownBy(() -> files.check("database: {tls_ca: " + link + "}"))
        .hasMessageContaining("is not in backy.requests.config-dir");
    // not a config, or no CA file: the run says what is wrong, if anything
    assertThat(files.check("database: [")).isEqualTo("database: [");
    assertThat(new RequestConfigFiles(null).check("database: {host: h}"))
        .isEqualTo("database: {host: h}");
  }
}
