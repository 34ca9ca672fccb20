package io.releasegate.demo;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The demo's certificate authority, generated for one run and never reused: a self-signed root CA and one short-lived
 * signing certificate issued by it, shaped like a Fulcio certificate (the identity as a SAN URI or email, the OIDC
 * issuer in the Fulcio extension 1.3.6.1.4.1.57264.1.8, digital signature and code-signing usage). What it writes is
 * the trust root (a PEM bundle holding the CA certificate), the signing key (PKCS#8 PEM) and the certificate (PEM).
 */
public record DemoPki(Path trustRoot, Path key, Path certificate, String identity, String issuer) {

    private static final String OIDC_ISSUER_OID = "1.3.6.1.4.1.57264.1.8";

    /** Generates the CA and a certificate for {@code identity} from {@code issuer}, valid for an hour from now, into {@code dir}. */
    public static DemoPki create(Path dir, String identity, String issuer, Instant now) {
        try {
            KeyPair caKey = ecKey();
            X500Name caName = new X500Name("O=Release Gate demo,CN=demo CA " + now.getEpochSecond());
            var ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), caName, caKey.getPublic());
            JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(caKey.getPublic()));
            X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(ca.build(signer(caKey)));

            KeyPair leafKey = ecKey();
            GeneralName san = identity.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, identity)
                    : new GeneralName(GeneralName.rfc822Name, identity);
            var leaf = new JcaX509v3CertificateBuilder(caCert, BigInteger.TWO, Date.from(now.minus(Duration.ofMinutes(1))),
                    Date.from(now.plus(Duration.ofHours(1))), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), leafKey.getPublic());
            leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            leaf.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(leafKey.getPublic()));
            leaf.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(caCert.getPublicKey()));
            leaf.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
            leaf.addExtension(new ASN1ObjectIdentifier(OIDC_ISSUER_OID), false, new DERUTF8String(issuer));
            X509Certificate leafCert = new JcaX509CertificateConverter().getCertificate(leaf.build(signer(caKey)));

            Files.createDirectories(dir);
            Path trustRoot = dir.resolve("demo-ca.pem");
            Path key = dir.resolve("demo-signing.key");
            Path certificate = dir.resolve("demo-signing.crt");
            Files.writeString(trustRoot, pem("CERTIFICATE", caCert.getEncoded()));
            Files.writeString(key, pem("PRIVATE KEY", leafKey.getPrivate().getEncoded()));
            Files.writeString(certificate, pem("CERTIFICATE", leafCert.getEncoded()));
            return new DemoPki(trustRoot, key, certificate, identity, issuer);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot create the demo certificate authority: " + e.getMessage(), e);
        }
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static org.bouncycastle.operator.ContentSigner signer(KeyPair k) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
