package io.releasegate.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import io.releasegate.signing.TransparencyLog;
import io.releasegate.signing.TrustRoot;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI shaped like Sigstore's public-good instance, generated in memory with BouncyCastle: a root CA, an
 * intermediate CA, a certificate transparency log key, and Fulcio-style leaf certificates (SAN email or URI, the
 * OIDC issuer extensions, code-signing usage, an embedded SCT from the test CT log). Nothing here is a real secret.
 */
public final class TestPki {

    public static final String ISSUER = "https://issuer.release-gate.test";
    public static final String CA_URI = "https://ca.release-gate.test";
    public static final String CT_URL = "https://ct.release-gate.test";

    private final KeyPair rootKey;
    private final X509Certificate root;
    private final KeyPair intermediateKey;
    private final X509Certificate intermediate;
    private final KeyPair ctKey;
    private final Instant since;
    private final AtomicLong serials = new AtomicLong(100);

    /** A leaf: its key pair and certificate, and where their PEM files were written. */
    public record Leaf(KeyPair keyPair, X509Certificate certificate, Path key, Path cert) {
    }

    /** How the OIDC issuer is carried: the DER UTF8String extension (1.8), the legacy raw one (1.1), or none. */
    public enum IssuerOid { V2, LEGACY, NONE }

    private TestPki(Instant now) throws Exception {
        since = now.minus(Duration.ofDays(30));
        rootKey = ecKey();
        X500Name rootName = new X500Name("O=Release Gate test,CN=test root");
        root = ca(rootName, rootKey, rootName, rootKey, since, now.plus(Duration.ofDays(3650)), 1);
        intermediateKey = ecKey();
        intermediate = ca(new X500Name("O=Release Gate test,CN=test intermediate"), intermediateKey, rootName, rootKey, since,
                now.plus(Duration.ofDays(3650)), 0);
        ctKey = ecKey();
    }

    public static TestPki create(Instant now) {
        try {
            return new TestPki(now);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate root() {
        return root;
    }

    public X509Certificate intermediate() {
        return intermediate;
    }

    /** Another, unrelated PKI (its CA is not trusted by this one's trust root). */
    public static TestPki other(Instant now) {
        return create(now);
    }

    /** A Fulcio-style leaf for {@code identity} (an email, or a URI when it has a scheme), valid from..to. */
    public Leaf leaf(Path dir, String name, String identity, String issuer, IssuerOid oid, Instant from, Instant to) {
        try {
            KeyPair kp = ecKey();
            BigInteger serial = BigInteger.valueOf(serials.incrementAndGet());
            GeneralName san = identity.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, identity)
                    : new GeneralName(GeneralName.rfc822Name, identity);
            X509Certificate pre = leafCert(serial, kp.getPublic(), san, issuer, oid, from, to, Optional.empty());
            byte[] sct = sct(pre.getTBSCertificate(), from.toEpochMilli());
            X509Certificate cert = leafCert(serial, kp.getPublic(), san, issuer, oid, from, to, Optional.of(sct));
            Path key = dir.resolve(name + ".key");
            Path pem = dir.resolve(name + ".crt");
            Files.createDirectories(dir);
            Files.writeString(key, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
            Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()));
            return new Leaf(kp, cert, key, pem);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Leaf leaf(Path dir, String name, String identity, Instant now) {
        return leaf(dir, name, identity, ISSUER, IssuerOid.V2, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofMinutes(10)));
    }

    private X509Certificate leafCert(BigInteger serial, PublicKey key, GeneralName san, String issuer, IssuerOid oid, Instant from,
                                     Instant to, Optional<byte[]> sctList) throws Exception {
        var b = new JcaX509v3CertificateBuilder(intermediate, serial, Date.from(from), Date.from(to), new X500Name(new RDN[0]), key);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(key));
        b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(intermediate.getPublicKey()));
        b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
        if (oid == IssuerOid.LEGACY) {
            b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1"), false, issuer.getBytes(StandardCharsets.UTF_8));
        } else if (oid == IssuerOid.V2) {
            b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8"), false, new DERUTF8String(issuer));
        }
        if (sctList.isPresent()) {
            b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), false, new DEROctetString(sctList.get()));
        }
        return convert(b.build(signer(intermediateKey)));
    }

    /** An RFC 6962 SignedCertificateTimestampList with one SCT over the precertificate's TBS, by the test CT log. */
    private byte[] sct(byte[] tbs, long timestamp) throws Exception {
        byte[] logId = sha256(ctKey.getPublic().getEncoded());
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        signed.write(0); // v1
        signed.write(0); // certificate_timestamp
        writeNumber(signed, timestamp, 8);
        writeNumber(signed, 1, 2); // precert_entry
        signed.write(sha256(intermediate.getPublicKey().getEncoded()));
        writeNumber(signed, tbs.length, 3);
        signed.write(tbs);
        writeNumber(signed, 0, 2); // no extensions
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(ctKey.getPrivate());
        s.update(signed.toByteArray());
        byte[] sig = s.sign();
        ByteArrayOutputStream sct = new ByteArrayOutputStream();
        sct.write(0);
        sct.write(logId);
        writeNumber(sct, timestamp, 8);
        writeNumber(sct, 0, 2);
        sct.write(4); // sha256
        sct.write(3); // ecdsa
        writeNumber(sct, sig.length, 2);
        sct.write(sig);
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        writeNumber(list, sct.size() + 2, 2);
        writeNumber(list, sct.size(), 2);
        list.write(sct.toByteArray());
        return list.toByteArray();
    }

    private static void writeNumber(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** A Sigstore trusted_root.json trusting this CA (intermediate then root), the CT log and, when given, the log. */
    public Path trustedRoot(Path file, Optional<TransparencyLog> log) {
        try {
            ObjectNode tr = Json.object();
            tr.put("mediaType", TrustRoot.MEDIA_TYPE);
            ArrayNode tlogs = tr.putArray("tlogs");
            log.ifPresent(l -> tlogs.add(l.trustedRootEntry(since)));
            ObjectNode ca = tr.putArray("certificateAuthorities").addObject();
            ca.putObject("subject").put("organization", "Release Gate test").put("commonName", "test intermediate");
            ca.put("uri", CA_URI);
            ArrayNode chain = ca.putObject("certChain").putArray("certificates");
            chain.addObject().put("rawBytes", Base64.getEncoder().encodeToString(intermediate.getEncoded()));
            chain.addObject().put("rawBytes", Base64.getEncoder().encodeToString(root.getEncoded()));
            ca.putObject("validFor").put("start", since.toString());
            ObjectNode ct = tr.putArray("ctlogs").addObject();
            ct.put("baseUrl", CT_URL).put("hashAlgorithm", "SHA2_256");
            ct.putObject("publicKey").put("rawBytes", Base64.getEncoder().encodeToString(ctKey.getPublic().getEncoded()))
                    .put("keyDetails", "PKIX_ECDSA_P256_SHA_256").putObject("validFor").put("start", since.toString());
            ct.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(sha256(ctKey.getPublic().getEncoded())));
            tr.putArray("timestampAuthorities");
            Files.writeString(file, Json.pretty(tr));
            return file;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM bundle of the CA certificates (private PKI trust root). */
    public Path caBundle(Path file) {
        try {
            Files.writeString(file, pem("CERTIFICATE", intermediate.getEncoded()) + pem("CERTIFICATE", root.getEncoded()));
            return file;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private X509Certificate ca(X500Name subject, KeyPair key, X500Name issuer, KeyPair issuerKey, Instant from, Instant to, int pathLen)
            throws Exception {
        var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serials.incrementAndGet()), Date.from(from), Date.from(to),
                subject, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.getPublic()));
        return convert(b.build(signer(issuerKey)));
    }

    private static ContentSigner signer(KeyPair k) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate());
    }

    private static X509Certificate convert(X509CertificateHolder h) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    public static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    public List<X509Certificate> chain() {
        return List.of(intermediate, root);
    }
}
