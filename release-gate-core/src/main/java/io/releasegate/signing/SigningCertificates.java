package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * X.509 signing certificates as Fulcio issues them: PEM reading and writing, the identities of the subject
 * alternative name (email or URI) and the OIDC issuer from the Fulcio extensions ({@value #ISSUER_V2} as a DER
 * UTF8String, else the legacy {@value #ISSUER_V1} holding the raw string).
 */
public final class SigningCertificates {

    public static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    public static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----");

    private SigningCertificates() {
    }

    /** Every certificate of a PEM file, in order; an input error when there is none or one is malformed. */
    public static List<X509Certificate> read(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InputException("certificate file not found: " + pem, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + pem + ": " + e.getMessage(), e);
        }
        return parsePem(text, pem.toString());
    }

    public static List<X509Certificate> parsePem(String text, String source) {
        List<X509Certificate> certs = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(1).trim());
            } catch (IllegalArgumentException e) {
                throw new InputException(source + ": certificate " + (certs.size() + 1) + " is not valid base64", e);
            }
            certs.add(parse(der, source + ": certificate " + (certs.size() + 1)));
        }
        if (certs.isEmpty()) {
            throw new InputException(source + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    /** A DER certificate; an input error naming {@code what} when it does not parse. */
    public static X509Certificate parse(byte[] der, String what) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new InputException(what + " is not an X.509 certificate: " + plain(e.getMessage()), e);
        }
    }

    /** A provider's message without the class names of the exceptions it wraps ("java.io.IOException: ..."). */
    static String plain(String message) {
        return message == null ? "unreadable" : message.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(?:Exception|Error): ", "");
    }

    public static byte[] der(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM as Sigstore writes it (64-column base64, LF line ends, final newline). */
    public static String pem(X509Certificate cert) {
        return KeySigner.toPem("CERTIFICATE", der(cert));
    }

    /** The email (rfc822Name) and URI names of the subject alternative name, in order. */
    public static List<String> identities(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    if ((type == 1 || type == 6) && n.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new SignatureCheckFailed("certificate.identity", "the subject alternative name does not parse: " + e.getMessage());
        }
        return out;
    }

    /** The OIDC issuer of the Fulcio extensions: 1.8 (DER UTF8String) first, else the legacy 1.1 (raw string). */
    public static Optional<String> oidcIssuer(X509Certificate cert) {
        byte[] v2 = cert.getExtensionValue(ISSUER_V2);
        if (v2 != null) {
            try {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
                if (inner instanceof ASN1String s) {
                    return Optional.of(s.getString());
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new SignatureCheckFailed("certificate.issuer", "the OIDC issuer extension " + ISSUER_V2 + " is not a DER string");
            }
            throw new SignatureCheckFailed("certificate.issuer", "the OIDC issuer extension " + ISSUER_V2 + " is not a DER string");
        }
        byte[] v1 = cert.getExtensionValue(ISSUER_V1);
        if (v1 != null) {
            try {
                return Optional.of(new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new SignatureCheckFailed("certificate.issuer", "the OIDC issuer extension " + ISSUER_V1 + " does not parse");
            }
        }
        return Optional.empty();
    }
}
