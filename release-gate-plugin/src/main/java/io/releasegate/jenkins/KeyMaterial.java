package io.releasegate.jenkins;

import java.io.Serializable;

/**
 * Key PEM bytes on their way to the agent for one call. Never stored in a step execution or action
 * (those are persisted), never printed ({@link #toString()} hides them). An empty array means absent.
 *
 * @param privateKeyPem PKCS#8 private key PEM
 * @param publicKeyPem  SubjectPublicKeyInfo PEM
 */
record KeyMaterial(byte[] privateKeyPem, byte[] publicKeyPem) implements Serializable {

    static final KeyMaterial NONE = new KeyMaterial(new byte[0], new byte[0]);

    static KeyMaterial publicOnly(byte[] publicKeyPem) {
        return new KeyMaterial(new byte[0], publicKeyPem);
    }

    KeyMaterial withPublicKey(byte[] pem) {
        return new KeyMaterial(privateKeyPem, pem);
    }

    boolean hasPrivateKey() {
        return privateKeyPem.length > 0;
    }

    boolean hasPublicKey() {
        return publicKeyPem.length > 0;
    }

    @Override
    public String toString() {
        return "KeyMaterial[****]";
    }
}
