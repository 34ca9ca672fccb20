package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a key signs, as cosign's defaults choose it for the key: ECDSA P-256 over SHA-256, ECDSA P-384 over SHA-384,
 * RSA PKCS#1 v1.5 over SHA-256 (or RSA-PSS over SHA-256, MGF1 SHA-256, when asked), Ed25519 over the message itself.
 */
public enum SignatureScheme {
    ECDSA_P256_SHA256("SHA256withECDSA"),
    ECDSA_P384_SHA384("SHA384withECDSA"),
    RSA_PKCS1_SHA256("SHA256withRSA"),
    RSA_PSS_SHA256("RSASSA-PSS"),
    ED25519("Ed25519");

    /** The PSS salt length we sign with: the hash's length, as {@code openssl -sigopt rsa_pss_saltlen:digest}. */
    static final int PSS_SALT = 32;

    private final String jca;

    SignatureScheme(String jca) {
        this.jca = jca;
    }

    /** The default scheme of a (strong, see {@link KeyFiles#requireStrong}) key. */
    public static SignatureScheme forKey(Key key) {
        if (key instanceof ECKey ec) {
            return KeyFiles.curveBits(ec.getParams()) == 384 ? ECDSA_P384_SHA384 : ECDSA_P256_SHA256;
        }
        if (key instanceof RSAKey) {
            return RSA_PKCS1_SHA256;
        }
        if (key instanceof EdECKey || "Ed25519".equalsIgnoreCase(key.getAlgorithm()) || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            return ED25519;
        }
        if ("EC".equals(key.getAlgorithm())) {
            return ECDSA_P256_SHA256; // a token's key whose parameters it does not expose: the curve is checked on its public key
        }
        if ("RSA".equals(key.getAlgorithm())) {
            return RSA_PKCS1_SHA256;
        }
        throw new InputException("no signature scheme for a " + key.getAlgorithm() + " key (ECDSA P-256/P-384, RSA, Ed25519)");
    }

    /** Whether {@link #forKey} has a scheme for the key (a verifier then says no to anything else, never fails). */
    static boolean known(Key key) {
        return key instanceof ECKey || key instanceof RSAKey || key instanceof EdECKey
                || Set.of("EC", "RSA", "Ed25519", "EdDSA").contains(key.getAlgorithm());
    }

    /** Whether a signature of this scheme can be made over a SHA-256 digest alone (certificate signing needs it). */
    public boolean signsDigests() {
        return this == ECDSA_P256_SHA256 || this == ECDSA_P384_SHA384 || this == RSA_PKCS1_SHA256;
    }

    /** A JCA signature object for this scheme (salt length for PSS), from {@code provider} when given. */
    Signature newSignature(Optional<Provider> provider) throws GeneralSecurityException {
        return newSignature(provider, PSS_SALT);
    }

    private Signature newSignature(Optional<Provider> provider, int salt) throws GeneralSecurityException {
        Signature s = provider.isPresent() ? Signature.getInstance(jca, provider.get()) : Signature.getInstance(jca);
        if (this == RSA_PSS_SHA256) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1));
        }
        return s;
    }

    /**
     * The schemes a signature by {@code key} is checked under: its default, and for RSA also PSS with the salt as long
     * as the hash (ours, openssl's {@code digest}) or as long as possible (Go's {@code PSSSaltLengthAuto}, cosign's).
     */
    static List<Signature> verifiers(PublicKey key) throws GeneralSecurityException {
        SignatureScheme scheme = forKey(key);
        if (scheme != RSA_PKCS1_SHA256) {
            return List.of(scheme.newSignature(Optional.empty()));
        }
        int bytes = (((RSAKey) key).getModulus().bitLength() + 7) / 8;
        return List.of(scheme.newSignature(Optional.empty()), RSA_PSS_SHA256.newSignature(Optional.empty(), PSS_SALT),
                RSA_PSS_SHA256.newSignature(Optional.empty(), bytes - PSS_SALT - 2));
    }
}
