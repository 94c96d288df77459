package io.backydb.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An RSA key pair and a certificate for {@code CN=127.0.0.1} signed by itself, valid for an hour.
 */
public record SelfSignedCertificate(KeyPair keys, X509Certificate certificate) {

  @SuppressWarnings("JavaUtilDate") // BouncyCastle's certificate builder takes java.util.Date
  public static SelfSignedCertificate create() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    X500Name name = new X500Name("CN=127.0.0.1");
    Date now = new Date();
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        new Date(now.getTime() - 60_000),
                        new Date(now.getTime() + 3_600_000),
                        name,
                        pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    return new SelfSignedCertificate(pair, cert);
  }
}
