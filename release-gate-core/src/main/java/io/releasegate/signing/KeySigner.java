package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;

/**
 * Managed-key signatures as cosign makes them with a key pair, the DER (ECDSA) or raw (RSA, Ed25519) signature written
 * base64-encoded to {@code FILE.sig}. The scheme follows the key ({@link SignatureScheme}): ECDSA P-256/SHA-256,
 * ECDSA P-384/SHA-384, RSA PKCS#1 v1.5/SHA-256 (or PSS, {@link #withRsaPss()}), Ed25519.
 *
 * <p>The key is a file in any of the forms {@link KeyFiles} reads, or a key in a PKCS#11 token named by an RFC 7512
 * URI ({@code pkcs11:token=…;object=…}, {@link Pkcs11Keys}), which signs inside the token and never leaves it.
 */
public final class KeySigner {

    private final PrivateKey key;
    private final Optional<PublicKey> publicKey;
    private final Optional<Provider> provider;
    private final SignatureScheme scheme;

    KeySigner(PrivateKey key, Optional<PublicKey> publicKey, Optional<Provider> provider, SignatureScheme scheme) {
        this.key = Objects.requireNonNull(key);
        this.publicKey = Objects.requireNonNull(publicKey);
        this.provider = Objects.requireNonNull(provider);
        this.scheme = Objects.requireNonNull(scheme);
    }

    /**
     * The key named by {@code reference}: a PKCS#11 URI ({@code pkcs11:…}) or a key file; the passphrase, the PIN and the
     * module come from {@code secrets}.
     */
    public static KeySigner open(String reference, KeySecrets secrets) {
        if (Pkcs11Uri.is(reference)) {
            return Pkcs11Keys.open(Pkcs11Uri.parse(reference), secrets);
        }
        KeyFiles.PrivateKeyFile f = KeyFiles.readPrivate(Path.of(reference), secrets);
        return new KeySigner(f.key(), f.publicKey(), Optional.empty(), SignatureScheme.forKey(f.key()));
    }

    /** {@link #open} with the secrets of the process environment (a key file's passphrase, a token's PIN and module). */
    public static KeySigner fromPem(Path privateKey) {
        return open(privateKey.toString(), KeySecrets.fromEnvironment());
    }

    /** The same key signing with RSA-PSS (SHA-256, MGF1 SHA-256, salt of 32 bytes) instead of PKCS#1 v1.5. */
    public KeySigner withRsaPss() {
        if (scheme != SignatureScheme.RSA_PKCS1_SHA256 && scheme != SignatureScheme.RSA_PSS_SHA256) {
            throw new InputException("RSA-PSS needs an RSA key; this one signs with " + scheme);
        }
        return new KeySigner(key, publicKey, provider, SignatureScheme.RSA_PSS_SHA256);
    }

    /** How this key signs. */
    public SignatureScheme scheme() {
        return scheme;
    }

    /** The public key, when the key's source holds it (a SEC1 or PKCS#1 file, a token's certificate). */
    public Optional<PublicKey> publicKey() {
        return publicKey;
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

    /** A public key file: PEM SubjectPublicKeyInfo or PKCS#1 RSA, or an OpenSSH public key ({@link KeyFiles}). */
    public static PublicKey publicKey(Path file) {
        return KeyFiles.readPublic(file);
    }

    /** A public key as PEM (SubjectPublicKeyInfo), as verification events record it. */
    public static String pem(PublicKey key) {
        return toPem("PUBLIC KEY", key.getEncoded());
    }

    /** A public key from its text ({@code source} names where it was read, for errors). */
    public static PublicKey publicKey(String text, String source) {
        return KeyFiles.parsePublic(text, source);
    }

    /** The signature over {@code data}. */
    public byte[] sign(byte[] data) {
        try {
            Signature s = scheme.newSignature(provider);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw failed(e);
        }
    }

    /**
     * {@link #sign}, the same data always giving the same signature where the scheme allows it: ECDSA of a key in a file
     * takes its nonce from the key and the message (RFC 6979), Ed25519 and RSA PKCS#1 v1.5 are deterministic already.
     * A token's key and RSA-PSS sign as {@link #sign} does, with fresh randomness. Verifies as {@link #sign}'s does.
     */
    public byte[] signDeterministically(byte[] data) {
        if (provider.isPresent() || (scheme != SignatureScheme.ECDSA_P256_SHA256 && scheme != SignatureScheme.ECDSA_P384_SHA384)) {
            return sign(data);
        }
        try {
            Signature s = Signature.getInstance(scheme == SignatureScheme.ECDSA_P256_SHA256 ? "SHA256withECDDSA" : "SHA384withECDDSA",
                    new org.bouncycastle.jce.provider.BouncyCastleProvider());
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw failed(e);
        }
    }

    /**
     * The signature of a SHA-256 digest, equal in kind to {@link #sign} over the data it digests with SHA-256 (ECDSA of
     * either curve over the digest, RSA PKCS#1 v1.5 over its DigestInfo): what a Sigstore bundle's message signature is.
     * Ed25519 and RSA-PSS sign messages, not digests: refused.
     */
    public byte[] signDigest(byte[] sha256) {
        requireDigestSigning();
        try {
            boolean rsa = scheme == SignatureScheme.RSA_PKCS1_SHA256;
            String alg = rsa ? "NONEwithRSA" : "NONEwithECDSA";
            Signature s = provider.isPresent() ? Signature.getInstance(alg, provider.get()) : Signature.getInstance(alg);
            s.initSign(key);
            s.update(rsa ? digestInfo(sha256) : sha256);
            return s.sign();
        } catch (GeneralSecurityException | IOException e) {
            throw failed(e);
        }
    }

    /** Refuses (input error) a key that cannot sign a digest alone, before anything is signed or written. */
    public void requireDigestSigning() {
        if (!scheme.signsDigests()) {
            throw new InputException("a " + scheme + " key signs whole messages, not digests: certificate signing (a Sigstore "
                    + "hashedrekord bundle) takes an ECDSA P-256/P-384 key or an RSA key with PKCS#1 v1.5");
        }
    }

    /** Signs a file (streamed) and writes FILE.sig (base64, like cosign); returns the .sig path. */
    public Path signFile(Path file) {
        try {
            Signature s = scheme.newSignature(provider);
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
        } catch (IOException e) {
            throw new InputException("cannot sign " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw failed(e);
        }
    }

    /**
     * Verifies a signature over {@code data} with the scheme of the key (for RSA, PKCS#1 v1.5 or PSS); false on any
     * mismatch or malformed signature.
     */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        if (!SignatureScheme.known(key)) {
            return false;
        }
        try {
            for (Signature s : SignatureScheme.verifiers(key)) {
                s.initVerify(key);
                s.update(data);
                try {
                    if (s.verify(signature)) {
                        return true;
                    }
                } catch (java.security.SignatureException e) {
                    // malformed for this scheme: try the next
                }
            }
            return false;
        } catch (java.security.InvalidKeyException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new InputException("cannot verify: " + e.getMessage(), e);
        }
    }

    /** Verifies a signature of a SHA-256 digest ({@link #signDigest}): ECDSA over the digest, RSA over its DigestInfo. */
    public static boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        if (!SignatureScheme.known(key)) {
            return false;
        }
        SignatureScheme scheme = SignatureScheme.forKey(key);
        if (!scheme.signsDigests()) {
            return false;
        }
        try {
            boolean rsa = scheme == SignatureScheme.RSA_PKCS1_SHA256;
            Signature s = Signature.getInstance(rsa ? "NONEwithRSA" : "NONEwithECDSA");
            s.initVerify(key);
            s.update(rsa ? digestInfo(sha256) : sha256);
            return s.verify(signature);
        } catch (java.security.SignatureException | java.security.InvalidKeyException e) {
            return false;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digestInfo(byte[] sha256) throws IOException {
        return new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE), sha256).getEncoded("DER");
    }

    private InputException failed(Exception e) {
        return new InputException("signing with the " + (provider.isPresent() ? "token's " : "") + scheme + " key failed: "
                + e.getMessage(), e);
    }

    static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
