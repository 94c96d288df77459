package io.backydb.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.backydb.testing.SelfSignedCertificate;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The provider that serves AES/GCM/NoPadding from Conscrypt: it is the one Cipher.getInstance
 * picks, it computes exactly the JDK's ciphertext, and the JDK's TLS, which now uses it for its
 * AES-GCM suites (S3, KMS and Secret Manager all speak TLS), still works.
 */
class FastAesGcmTest {

  @BeforeAll
  static void install() {
    assertThat(FastAesGcm.install()).as("Conscrypt loads on this platform").isTrue();
  }

  @Test
  void itIsTheCipherTinkGetsAndItsBytesAreTheJdks() throws Exception {
    Cipher ours = Cipher.getInstance("AES/GCM/NoPadding");
    assertThat(ours.getProvider().getName()).isEqualTo(FastAesGcm.PROVIDER_NAME);
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", Security.getProvider("SunJCE"));

    SecureRandom random = new SecureRandom();
    for (int size : new int[] {0, 1, 15, 16, 17, 4096, 1 << 20}) {
      byte[] key = randomBytes(random, 32);
      byte[] iv = randomBytes(random, 12);
      byte[] aad = randomBytes(random, 37);
      byte[] plain = randomBytes(random, size);
      byte[][] out = new byte[2][];
      int i = 0;
      for (Cipher c : new Cipher[] {ours, jdk}) {
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        out[i++] = c.doFinal(plain);
      }
      assertThat(out[0]).as("%d bytes", size).isEqualTo(out[1]);
      ours.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      ours.updateAAD(aad);
      assertThat(ours.doFinal(out[1])).isEqualTo(plain);
    }
  }

  /**
   * A message given in parts, as Tink encrypts a segment whose end falls inside one write (an
   * update, then a doFinal), through arrays and heap buffers: the JDK's bytes, both ways; and an
   * init after an abandoned message starts a new one.
   */
  @ParameterizedTest(name = "split at {0} of {1}, {2}")
  @CsvSource({
    "0, 1048560, buffers",
    "1, 1048560, buffers",
    "8192, 1048560, buffers",
    "1048559, 1048560, buffers",
    "1048560, 1048560, buffers",
    "5, 17, arrays",
    "4096, 70000, arrays",
    "0, 0, arrays"
  })
  void aMessageInPartsIsSealedAndOpenedAsTheJdkDoes(int split, int size, String api)
      throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] key = randomBytes(random, 32);
    byte[] iv = randomBytes(random, 12);
    byte[] plain = randomBytes(random, size);
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", Security.getProvider("SunJCE"));
    jdk.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, iv));
    byte[] expected = jdk.doFinal(plain);

    Cipher ours = Cipher.getInstance("AES/GCM/NoPadding");
    // an abandoned message first: its data must not leak into the next one
    ours.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, new byte[12]));
    ours.update(new byte[1000]);
    ours.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, iv));
    assertThat(inParts(ours, plain, split, api)).isEqualTo(expected);

    ours.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, iv));
    assertThat(inParts(ours, expected, Math.min(split, expected.length), api)).isEqualTo(plain);

    byte[] tampered = expected.clone();
    tampered[tampered.length / 2] ^= 1;
    ours.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, iv));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> inParts(ours, tampered, Math.min(split, tampered.length), api))
        .isInstanceOf(javax.crypto.AEADBadTagException.class);
    // a refused message leaves nothing behind either
    ours.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, iv));
    assertThat(ours.doFinal(expected)).isEqualTo(plain);
  }

  private static byte[] randomBytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] inParts(Cipher c, byte[] data, int split, String api) throws Exception {
    if (api.equals("arrays")) {
      byte[] first = c.update(data, 0, split);
      assertThat(first).as("GCM returns nothing before doFinal").isNullOrEmpty();
      return c.doFinal(data, split, data.length - split);
    }
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(c.getOutputSize(data.length));
    assertThat(c.update(java.nio.ByteBuffer.wrap(data, 0, split), out)).isZero();
    c.doFinal(java.nio.ByteBuffer.wrap(data, split, data.length - split), out);
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  @Test
  void additionalDataAfterTheDataIsRefusedAsTheJdkRefusesIt() throws Exception {
    Cipher ours = Cipher.getInstance("AES/GCM/NoPadding");
    ours.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(new byte[32], "AES"),
        new GCMParameterSpec(128, new byte[12]));
    ours.update(new byte[10]);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ours.updateAAD(new byte[3]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decryptingHeapBuffersReusesItsDirectMemory() throws Exception {
    // as Tink's streaming AEAD calls it for every segment of a restore: doFinal on heap buffers
    byte[] key = new byte[32];
    byte[] plain = new byte[1 << 20];
    new SecureRandom().nextBytes(plain);
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", Security.getProvider("SunJCE"));
    Cipher ours = Cipher.getInstance("AES/GCM/NoPadding");
    java.lang.management.BufferPoolMXBean direct =
        java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)
            .stream()
            .filter(b -> b.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    long before = direct.getTotalCapacity();

    for (int segment = 0; segment < 64; segment++) {
      byte[] iv = java.nio.ByteBuffer.allocate(12).putInt(8, segment).array();
      jdk.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, iv));
      java.nio.ByteBuffer sealed = java.nio.ByteBuffer.wrap(jdk.doFinal(plain));
      ours.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, iv));
      java.nio.ByteBuffer opened = java.nio.ByteBuffer.allocate(plain.length);
      assertThat(ours.doFinal(sealed, opened)).isEqualTo(plain.length);
      assertThat(sealed.hasRemaining()).isFalse();
      assertThat(opened.array()).isEqualTo(plain);
    }

    assertThat(direct.getTotalCapacity() - before)
        .as("direct memory kept after 64 segments of 1 MiB")
        .isLessThanOrEqualTo(2L * (plain.length + 16));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "TLSv1.3, TLS_AES_256_GCM_SHA384",
    "TLSv1.3, TLS_AES_128_GCM_SHA256",
    "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  })
  void theJdksTlsStillWorksOverIt(String protocol, String suite) throws Exception {
    SSLContext context = selfSignedContext();
    try (SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0)) {
      server.setEnabledProtocols(new String[] {protocol});
      server.setEnabledCipherSuites(new String[] {suite});
      CompletableFuture<Void> echo =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  byte[] got = new byte[in.readInt()];
                  in.readFully(got);
                  DataOutputStream out = new DataOutputStream(s.getOutputStream());
                  out.writeInt(got.length);
                  out.write(got);
                  out.flush();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      byte[] message = new byte[300_000];
      new SecureRandom().nextBytes(message);
      try (SSLSocket client =
          (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
        client.setEnabledProtocols(new String[] {protocol});
        client.setEnabledCipherSuites(new String[] {suite});
        DataOutputStream out = new DataOutputStream(client.getOutputStream());
        out.writeInt(message.length);
        out.write(message);
        out.flush();
        DataInputStream in = new DataInputStream(client.getInputStream());
        byte[] back = new byte[in.readInt()];
        in.readFully(back);
        assertThat(back).isEqualTo(message);
        assertThat(client.getSession().getCipherSuite()).isEqualTo(suite);
      }
      echo.get();
    }
  }

  /** A server and client context trusting one self-signed RSA certificate. */
  private static SSLContext selfSignedContext() throws Exception {
    SelfSignedCertificate self = SelfSignedCertificate.create();
    KeyPair pair = self.keys();
    X509Certificate cert = self.certificate();
    char[] password = "test".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", pair.getPrivate(), password, new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return context;
  }
}
