package io.releasegate.jenkins;

import java.io.Serializable;

/**
 * Key bytes on their way to the agent for one call. Never stored in a step execution or action
 * (those are persisted), never printed ({@link #toString()} hides them). An empty array means absent.
 *
 * @param privateKey     the release signing key file's content (PEM in any form the core reads: PKCS#8, encrypted
 *                       PKCS#8, SEC1, PKCS#1, OpenSSH, cosign), or a PKCS#11 URI ({@code pkcs11:token=…;object=…}) naming
 *                       a key that never leaves its token
 * @param publicKeyPem   SubjectPublicKeyInfo PEM
 * @param certificatePem the signing certificate PEM (leaf first, then its issuing chain), certificate mode
 * @param trustRoot      a Sigstore {@code trusted_root.json} or a PEM bundle of CA certificates, certificate mode
 * @param keySecret      the key file's passphrase or the token's PIN (empty: none)
 */
record KeyMaterial(byte[] privateKey, byte[] publicKeyPem, byte[] certificatePem, byte[] trustRoot, char[] keySecret)
        implements Serializable {

    static final KeyMaterial NONE = new KeyMaterial(new byte[0], new byte[0]);

    /** The prefix of a PKCS#11 URI (RFC 7512). */
    static final String PKCS11 = "pkcs11:";

    KeyMaterial(byte[] privateKey, byte[] publicKeyPem) {
        this(privateKey, publicKeyPem, new byte[0], new byte[0], new char[0]);
    }

    KeyMaterial(byte[] privateKey, byte[] publicKeyPem, byte[] certificatePem, byte[] trustRoot) {
        this(privateKey, publicKeyPem, certificatePem, trustRoot, new char[0]);
    }

    static KeyMaterial publicOnly(byte[] publicKeyPem) {
        return new KeyMaterial(new byte[0], publicKeyPem);
    }

    /** What a certificate-mode verification needs: the trust root only (absent when none is configured). */
    static KeyMaterial trustRootOnly(byte[] trustRoot) {
        return new KeyMaterial(new byte[0], new byte[0], new byte[0], trustRoot);
    }

    KeyMaterial withPublicKey(byte[] pem) {
        return new KeyMaterial(privateKey, pem, certificatePem, trustRoot, keySecret);
    }

    KeyMaterial withCertificate(byte[] pem) {
        return new KeyMaterial(privateKey, publicKeyPem, pem, trustRoot, keySecret);
    }

    KeyMaterial withKeySecret(char[] secret) {
        return new KeyMaterial(privateKey, publicKeyPem, certificatePem, trustRoot, secret);
    }

    boolean hasPrivateKey() {
        return privateKey.length > 0;
    }

    /** The private key is a PKCS#11 URI, not a file's content: it is passed as the key reference, never written. */
    boolean inToken() {
        return new String(privateKey, java.nio.charset.StandardCharsets.US_ASCII).startsWith(PKCS11);
    }

    boolean hasPublicKey() {
        return publicKeyPem.length > 0;
    }

    boolean hasCertificate() {
        return certificatePem.length > 0;
    }

    boolean hasTrustRoot() {
        return trustRoot.length > 0;
    }

    boolean hasKeySecret() {
        return keySecret.length > 0;
    }

    @Override
    public String toString() {
        return "KeyMaterial[****]";
    }
}
