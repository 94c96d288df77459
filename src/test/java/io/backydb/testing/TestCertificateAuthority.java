package io.backydb.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of a test's own, valid for an hour, that issues server certificates for
 * the names it is given (valid for the hour too, unless given another period), as an operator's own
 * CA does for a database server.
 */
public final class TestCertificateAuthority {

  /** A key pair and the certificate the CA issued for it. */
  public record Issued(KeyPair keys, X509Certificate certificate) {}

  private static final long HOUR = 3_600_000;

  private final KeyPair keys;
  private final X509Certificate certificate;
  private final X500Name name;
  private final AtomicLong serial = new AtomicLong(1);

  private TestCertificateAuthority(KeyPair keys, X509Certificate certificate, X500Name name) {
    this.keys = keys;
    this.certificate = certificate;
    this.name = name;
  }

  /** A new CA named {@code CN=<commonName>}, its certificate signed by itself. */
  public static TestCertificateAuthority create(String commonName) throws Exception {
    KeyPair keys = rsaKeys();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        builder(name, BigInteger.ONE, name, keys, now.minusSeconds(60), now.plusMillis(HOUR));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    return new TestCertificateAuthority(keys, sign(b, keys), name);
  }

  /** The CA's own certificate: what {@code database.tls_ca} names. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** A server certificate for {@code CN=<dnsName>} whose subject alternative name is it. */
  public Issued issue(String dnsName) throws Exception {
    Instant now = Instant.now();
    return issue(dnsName, now.minusSeconds(60), now.plusMillis(HOUR));
  }

  /**
   * {@link #issue(String)} valid from {@code notBefore} to {@code notAfter} only, e.g. both in the
   * past for an expired certificate.
   */
  public Issued issue(String dnsName, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair server = rsaKeys();
    X509v3CertificateBuilder b =
        builder(
            name,
            BigInteger.valueOf(serial.incrementAndGet()),
            new X500Name("CN=" + dnsName),
            server,
            notBefore,
            notAfter);
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    return new Issued(server, sign(b, keys));
  }

  /** Writes {@code object} (a certificate or a key) to {@code file} as PEM. */
  public static Path writePem(Path file, Object object) throws IOException {
    try (Writer w = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(object);
    }
    return file;
  }

  private static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  @SuppressWarnings("JavaUtilDate") // BouncyCastle's certificate builder takes java.util.Date
  private static X509v3CertificateBuilder builder(
      X500Name issuer,
      BigInteger serial,
      X500Name subject,
      KeyPair subjectKeys,
      Instant notBefore,
      Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        serial,
        Date.from(notBefore),
        Date.from(notAfter),
        subject,
        subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
  }
}
