package io.backydb.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backydb.BackyException;
import io.backydb.config.SecurityConfig;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public key's PEM, which RsaKeys writes and reads with the JDK alone: it must read the files
 * that earlier builds wrote with Bouncy Castle, and write what Bouncy Castle and OpenSSL read.
 */
class RsaKeysTest {

  static KeyPair pair;

  @TempDir Path dir;

  @BeforeAll
  static void generate() {
    pair = RsaKeys.generate(SecurityConfig.MIN_KEY_SIZE);
  }

  @Test
  void readsAPublicKeyFileThatBouncyCastleWrote() throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()));
    }

    assertThat(RsaKeys.readPublic(w.toString(), "old file")).isEqualTo(pair.getPublic());
  }

  @Test
  void writesWhatBouncyCastleAndOpensslRead() throws Exception {
    String pem = RsaKeys.publicPem(pair.getPublic());

    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      SubjectPublicKeyInfo info = (SubjectPublicKeyInfo) p.readObject();
      assertThat(info.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    }
    Path file = dir.resolve("public.pem");
    Files.writeString(file, pem);
    Process openssl =
        new ProcessBuilder("openssl", "pkey", "-pubin", "-in", file.toString(), "-outform", "DER")
            .start();
    byte[] der = openssl.getInputStream().readAllBytes();
    assertThat(openssl.waitFor())
        .as(new String(openssl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    assertThat(der).isEqualTo(pair.getPublic().getEncoded());
    assertThat(RsaKeys.readPublic(pem, "new file")).isEqualTo(pair.getPublic());
  }

  @Test
  void findsThePublicKeyAfterOtherBlocksAndAcceptsCrlf() {
    String pem =
        "-----BEGIN CERTIFICATE REQUEST-----\r\nAAAA\r\n-----END CERTIFICATE REQUEST-----\r\n"
            + RsaKeys.publicPem(pair.getPublic()).replace("\n", "\r\n");

    PublicKey read = RsaKeys.readPublic(pem, "mixed file");

    assertThat(read).isEqualTo(pair.getPublic());
  }

  @Test
  void refusesTextWithoutAPublicKeyOrWithBrokenBase64() {
    String damaged =
        RsaKeys.publicPem(pair.getPublic()).replaceFirst("\n[A-Za-z0-9+/]{8}", "\n!!!!!!!!");

    assertThatThrownBy(() -> RsaKeys.readPublic("just text", "public.pem"))
        .isInstanceOf(BackyException.class)
        .hasMessage("public.pem does not hold the expected PEM key");
    assertThatThrownBy(() -> RsaKeys.readPublic(damaged, "public.pem"))
        .isInstanceOf(BackyException.class)
        .hasMessage("public.pem does not hold the expected PEM key");
    String truncated =
        RsaKeys.publicPem(pair.getPublic()).replaceFirst("\n[A-Za-z0-9+/]{64}\n", "\n");
    assertThatThrownBy(() -> RsaKeys.readPublic(truncated, "public.pem"))
        .isInstanceOf(BackyException.class);
  }
}
