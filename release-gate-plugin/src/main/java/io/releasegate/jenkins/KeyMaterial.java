package io.releasegate.jenkins;

import java.io.Serializable;

/**
 * Key PEM bytes on their way to the agent for one call. Never stored in a step execution or action
 * (those are persisted), never printed ({@link #toString()} hides them). An empty array means absent.
 *
 * @param privateKeyPem  PKCS#8 private key PEM
 * @param publicKeyPem   SubjectPublicKeyInfo PEM
 * @param certificatePem the signing certificate PEM (leaf first, then its issuing chain), certificate mode
 * @param trustRoot      a Sigstore {@code trusted_root.json} or a PEM bundle of CA certificates, certificate mode
 */
record KeyMaterial(byte[] privateKeyPem, byte[] publicKeyPem, byte[] certificatePem, byte[] trustRoot) implements Serializable {

    static final KeyMaterial NONE = new KeyMaterial(new byte[0], new byte[0]);

    KeyMaterial(byte[] privateKeyPem, byte[] publicKeyPem) {
        this(privateKeyPem, publicKeyPem, new byte[0], new byte[0]);
    }

    static KeyMaterial publicOnly(byte[] publicKeyPem) {
        return new KeyMaterial(new byte[0], publicKeyPem);
    }

    /** What a certificate-mode verification needs: the trust root only (absent when none is configured). */
    static KeyMaterial trustRootOnly(byte[] trustRoot) {
        return new KeyMaterial(new byte[0], new byte[0], new byte[0], trustRoot);
    }

    KeyMaterial withPublicKey(byte[] pem) {
        return new KeyMaterial(privateKeyPem, pem, certificatePem, trustRoot);
    }

    KeyMaterial withCertificate(byte[] pem) {
        return new KeyMaterial(privateKeyPem, publicKeyPem, pem, trustRoot);
    }

    boolean hasPrivateKey() {
        return privateKeyPem.length > 0;
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

    @Override
    public String toString() {
        return "KeyMaterial[****]";
    }
}
