package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * Managed-key signatures as cosign makes them with a key pair: ECDSA P-256 over SHA-256, the DER
 * signature written base64-encoded to {@code FILE.sig}. Keys are PEM: PKCS#8 private keys
 * ({@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256}) and SubjectPublicKeyInfo
 * public keys ({@code openssl pkey -pubout}).
 */
public final class KeySigner {

    private final PrivateKey key;
    private final Optional<PublicKey> publicKey;

    private KeySigner(PrivateKey key, Optional<PublicKey> publicKey) {
        this.key = key;
        this.publicKey = publicKey;
    }

    public static KeySigner fromPem(Path privateKeyPem) {
        byte[] der = pem(privateKeyPem, "PRIVATE KEY");
        try {
            PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new KeySigner(k, Optional.empty());
        } catch (GeneralSecurityException e) {
            throw new InputException(privateKeyPem + " is not a PKCS#8 EC private key: " + e.getMessage(), e);
        }
    }

    /** A new P-256 key pair, as PEM strings {private, public}: for tests and first-time set-up. */
    public static String[] generatePem() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            return new String[] {toPem("PRIVATE KEY", kp.getPrivate().getEncoded()), toPem("PUBLIC KEY", kp.getPublic().getEncoded())};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks EC P-256", e);
        }
    }

    public static PublicKey publicKey(Path pem) {
        byte[] der = pem(pem, "PUBLIC KEY");
        try {
            PublicKey k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            if (!(k instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new InputException(pem + " is not an ECDSA P-256 public key");
            }
            return k;
        } catch (GeneralSecurityException e) {
            throw new InputException(pem + " is not an EC public key (PEM SubjectPublicKeyInfo): " + e.getMessage(), e);
        }
    }

    /** A public key as PEM (SubjectPublicKeyInfo), as verification events record it. */
    public static String pem(PublicKey key) {
        return toPem("PUBLIC KEY", key.getEncoded());
    }

    /** An ECDSA P-256 public key from PEM text ({@code source} names where it was read, for errors). */
    public static PublicKey publicKey(String pem, String source) {
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new InputException(source + " holds no PEM block 'PUBLIC KEY'");
        }
        try {
            PublicKey k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
                    Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e))));
            if (!(k instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new InputException(source + " is not an ECDSA P-256 public key");
            }
            return k;
        } catch (IllegalArgumentException | GeneralSecurityException ex) {
            throw new InputException(source + " is not an EC public key (PEM SubjectPublicKeyInfo): " + ex.getMessage(), ex);
        }
    }

    /** The DER ECDSA signature over SHA-256 of {@code data}. */
    public byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new InputException("signing failed: " + e.getMessage(), e);
        }
    }

    /** The DER ECDSA signature of a SHA-256 digest: equal in kind to {@link #sign} over the data it digests. */
    public byte[] signDigest(byte[] sha256) {
        try {
            Signature s = Signature.getInstance("NONEwithECDSA");
            s.initSign(key);
            s.update(sha256);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new InputException("signing failed: " + e.getMessage(), e);
        }
    }

    /** Signs a file (streamed) and writes FILE.sig (base64, like cosign); returns the .sig path. */
    public Path signFile(Path file) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    s.update(buf, 0, n);
                }
            }
            Path sig = file.resolveSibling(file.getFileName() + ".sig");
            Files.writeString(sig, Base64.getEncoder().encodeToString(s.sign()));
            return sig;
        } catch (NoSuchFileException e) {
            throw new InputException("file not found: " + file, e);
        } catch (IOException | GeneralSecurityException e) {
            throw new InputException("cannot sign " + file + ": " + e.getMessage(), e);
        }
    }

    /** Verifies a DER ECDSA P-256/SHA-256 signature; false on any mismatch or malformed signature. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new InputException("cannot verify: " + e.getMessage(), e);
        }
    }

    static byte[] pem(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InputException("key file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new InputException(file + " holds no PEM block '" + type + "'"
                    + (text.contains("ENCRYPTED") ? " (encrypted keys are not supported: decrypt it with openssl pkcs8)" : ""));
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new InputException(file + ": the PEM block is not valid base64", ex);
        }
    }

    static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
