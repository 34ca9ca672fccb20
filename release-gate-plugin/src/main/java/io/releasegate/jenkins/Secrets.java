package io.releasegate.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCertificateCredentials;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.model.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.Optional;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * Secrets from the Credentials plugin, looked up by id in the context of the build (so folder and
 * user-scoped credentials apply and their use is tracked), turned into the bytes the core reads.
 * Nothing here is printed: messages name the credentials id only, and the material travels to the
 * agent inside one remoting call, is written to an owner-only temporary file there and deleted after.
 */
final class Secrets {

    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final String PUBLIC_KEY = "PUBLIC KEY";
    private static final String CERTIFICATE = "CERTIFICATE";

    private Secrets() {
    }

    /**
     * The signing key of {@code credentialsId}, and the public key PEM when the credentials hold it too: a certificate
     * credential's key entry; or a secret file / secret text holding a private key in any form the core reads (PKCS#8,
     * encrypted PKCS#8, SEC1 {@code EC PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, OpenSSH, cosign) or a PKCS#11 URI
     * ({@code pkcs11:token=…;object=…}) naming a key that never leaves its token. {@code secretId}: secret text credentials
     * with the key file's passphrase or the token's PIN (empty: none).
     */
    static KeyMaterial signingKey(Run<?, ?> run, String credentialsId, String secretId) throws IOException {
        StandardCredentials c = find(run, credentialsId, "signing key");
        if (c instanceof StandardCertificateCredentials cert) {
            return fromKeyStore(cert, credentialsId);
        }
        char[] secret = passphrase(run, secretId, "signing key passphrase or PIN");
        String text = text(c, credentialsId, "signing key").strip();
        if (text.startsWith(KeyMaterial.PKCS11)) {
            if (text.contains("pin-value") || text.contains("pin-source")) {
                throw new AbortException("[release-gate] credentials '" + credentialsId + "' name a PKCS#11 key with its PIN in the "
                        + "URI: keep the PIN in its own secret text credentials (the signing key passphrase / PIN)");
            }
            return new KeyMaterial(text.getBytes(StandardCharsets.UTF_8), new byte[0]).withKeySecret(secret);
        }
        if (!text.contains("PRIVATE KEY-----")) {
            throw new AbortException("[release-gate] credentials '" + credentialsId + "' hold no private key (a PEM "
                    + "'-----BEGIN … PRIVATE KEY-----' block) and no PKCS#11 URI ('pkcs11:token=…;object=…')");
        }
        Optional<String> publicPem = block(text, PUBLIC_KEY);
        // the key in its own form, which the core reads; a public block stored beside it is passed as the public key
        String key = publicPem.map(p -> text.replace(p.strip(), "")).orElse(text).strip() + "\n";
        return new KeyMaterial(key.getBytes(StandardCharsets.US_ASCII),
                publicPem.map(p -> p.getBytes(StandardCharsets.US_ASCII)).orElse(new byte[0])).withKeySecret(secret);
    }

    /**
     * The release public key, first from the controller's trust roots (text, then credentials), else the
     * public half stored next to the signing key.
     */
    static byte[] publicKey(Run<?, ?> run, ReleaseGateConfiguration config, Optional<KeyMaterial> signingKey)
            throws IOException {
        if (!config.getPublicKey().isEmpty()) {
            return config.getPublicKey().getBytes(StandardCharsets.US_ASCII);
        }
        if (!config.getPublicKeyCredentialsId().isEmpty()) {
            String id = config.getPublicKeyCredentialsId();
            StandardCredentials c = find(run, id, "public key");
            if (c instanceof StandardCertificateCredentials cert) {
                return certificateKey(cert, id);
            }
            return block(text(c, id, "public key"), PUBLIC_KEY).orElseThrow(() -> new AbortException(
                    "[release-gate] credentials '" + id + "' hold no PEM public key")).getBytes(StandardCharsets.US_ASCII);
        }
        if (signingKey.isPresent() && signingKey.get().hasPublicKey()) {
            return signingKey.get().publicKeyPem();
        }
        throw new AbortException("[release-gate] no release public key: set one under Manage Jenkins » System » Release Gate "
                + "(public key or its credentials), or store the public key block with the signing key");
    }

    /**
     * The signing certificate of {@code credentialsId}: from <em>Certificate</em> credentials (PKCS#12) the private key,
     * its public key and the certificate chain of the key entry; from a secret file or secret text the PEM certificates
     * (the leaf first, then its issuing chain), and the PKCS#8 key when the same PEM holds it (else the signing key
     * credentials provide it).
     */
    static KeyMaterial signingCertificate(Run<?, ?> run, String credentialsId) throws IOException {
        StandardCredentials c = find(run, credentialsId, "signing certificate");
        if (c instanceof StandardCertificateCredentials cert) {
            return chainFromKeyStore(cert, credentialsId);
        }
        String pem = text(c, credentialsId, "signing certificate");
        if (!pem.contains("-----BEGIN " + CERTIFICATE + "-----")) {
            throw new AbortException("[release-gate] credentials '" + credentialsId
                    + "' hold no PEM certificate ('-----BEGIN CERTIFICATE-----')");
        }
        // a PEM file may also carry the key (PKCS#8) before the certificates; otherwise the signing key provides it
        byte[] key = block(pem, PRIVATE_KEY).map(k -> k.getBytes(StandardCharsets.US_ASCII)).orElse(new byte[0]);
        return new KeyMaterial(key, new byte[0], blocks(pem, CERTIFICATE).getBytes(StandardCharsets.US_ASCII), new byte[0]);
    }

    /**
     * The trust root of certificate-mode verification: a Sigstore {@code trusted_root.json} or a PEM bundle of CA
     * certificates, from the controller's configuration (text, then a secret file or secret text credential). Empty
     * when none is configured: the core then names the missing trust root.
     */
    static byte[] trustRoot(Run<?, ?> run, ReleaseGateConfiguration config) throws IOException {
        if (!config.getTrustedRoot().isEmpty()) {
            return config.getTrustedRoot().getBytes(StandardCharsets.UTF_8);
        }
        String id = config.getTrustedRootCredentialsId();
        if (id.isEmpty()) {
            return new byte[0];
        }
        StandardCredentials c = find(run, id, "trust root");
        if (c instanceof FileCredentials file) {
            try (InputStream in = file.getContent()) {
                return in.readAllBytes();
            }
        }
        if (c instanceof StringCredentials string) {
            return string.getSecret().getPlainText().getBytes(StandardCharsets.UTF_8);
        }
        throw new AbortException("[release-gate] credentials '" + id + "' (trust root) must be a secret file or secret text "
                + "holding a trusted_root.json or a PEM bundle of CA certificates");
    }

    /** Registry login from username/password credentials, for a registry store. */
    static Optional<RegistryLogin> registry(Run<?, ?> run, String credentialsId) throws IOException {
        if (credentialsId.isEmpty()) {
            return Optional.empty();
        }
        StandardUsernamePasswordCredentials c = usernamePassword(run, credentialsId, "store credentials");
        return Optional.of(new RegistryLogin(c.getUsername(), c.getPassword().getPlainText()));
    }

    /**
     * What the release tag needs: the armored OpenPGP secret key of {@code keyId} (secret file or secret text), the
     * passphrase of {@code passphraseId} (secret text; empty id: an unprotected key), the login of {@code gitId}
     * (username/password; empty id: none, e.g. an ssh remote) and the build's ssh variables.
     */
    static TagSecrets tag(Run<?, ?> run, String keyId, String passphraseId, String gitId, java.util.Map<String, String> environment)
            throws IOException {
        String armored = text(find(run, keyId, "tag signing key"), keyId, "tag signing key");
        if (!armored.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
            throw new AbortException("[release-gate] credentials '" + keyId
                    + "' hold no armored OpenPGP secret key ('-----BEGIN PGP PRIVATE KEY BLOCK-----')");
        }
        char[] passphrase = passphrase(run, passphraseId, "tag signing key passphrase");
        String username = "";
        String password = "";
        if (!gitId.isEmpty()) {
            StandardUsernamePasswordCredentials login = usernamePassword(run, gitId, "tag remote credentials");
            username = login.getUsername();
            password = login.getPassword().getPlainText();
        }
        return new TagSecrets(armored.getBytes(StandardCharsets.US_ASCII), passphrase, username, password,
                TagSecrets.sshVariables(environment));
    }

    /** The passphrase in secret text credentials {@code passphraseId}; an empty id: none (an unprotected key). */
    private static char[] passphrase(Run<?, ?> run, String passphraseId, String what) throws AbortException {
        if (passphraseId.isEmpty()) {
            return new char[0];
        }
        StringCredentials secret = CredentialsProvider.findCredentialById(passphraseId, StringCredentials.class, run);
        if (secret == null) {
            throw new AbortException("[release-gate] no secret text credentials '" + passphraseId + "' visible to this build ("
                    + what + ")");
        }
        CredentialsProvider.track(run, secret);
        return secret.getSecret().getPlainText().toCharArray();
    }

    /**
     * The ledger's trust from the controller's configuration, with the CI key that signs the pipeline's events; {@link
     * LedgerSecrets#TRIAL} when no CI identity is configured. A trust without an event signing key is refused: every
     * event must be signed by a key the trust believes.
     */
    static LedgerSecrets ledger(Run<?, ?> run, ReleaseGateConfiguration config) throws IOException {
        java.util.List<String> ci = ReleaseGateConfiguration.list(config.getLedgerCiIdentities());
        if (ci.isEmpty()) {
            return LedgerSecrets.TRIAL;
        }
        String keyId = config.getEventSigningKeyCredentialsId();
        if (keyId.isEmpty()) {
            throw new AbortException("[release-gate] the ledger trusts CI identities " + ci + ", but no event signing key is "
                    + "configured: set the event signing key credentials under Manage Jenkins » System » Release Gate");
        }
        String key = text(find(run, keyId, "event signing key"), keyId, "event signing key");
        if (!key.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----") && !key.contains("-----BEGIN OPENSSH PRIVATE KEY-----")) {
            throw new AbortException("[release-gate] credentials '" + keyId + "' (event signing key) hold neither an armored "
                    + "OpenPGP secret key nor an OpenSSH private key");
        }
        return new LedgerSecrets(ci, ReleaseGateConfiguration.list(config.getLedgerAttestors()), config.getLedgerAllowedSigners(),
                config.getLedgerKeyring(), key.getBytes(StandardCharsets.US_ASCII),
                passphrase(run, config.getEventSigningPassphraseCredentialsId(), "event signing key passphrase"));
    }

    /** The controller's attestor key (armored OpenPGP secret key) and its passphrase, for use on the controller only. */
    static ArmoredKey attestorKey(Run<?, ?> run, ReleaseGateConfiguration config) throws IOException {
        String keyId = config.getAttestorKeyCredentialsId();
        if (keyId.isEmpty()) {
            throw new AbortException("[release-gate] the ledger is trusted, so a person's events need the controller's attestor "
                    + "key: set the attestor key credentials under Manage Jenkins » System » Release Gate");
        }
        String armored = text(find(run, keyId, "attestor key"), keyId, "attestor key");
        if (!armored.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
            throw new AbortException("[release-gate] credentials '" + keyId
                    + "' (attestor key) hold no armored OpenPGP secret key ('-----BEGIN PGP PRIVATE KEY BLOCK-----')");
        }
        return new ArmoredKey(armored.getBytes(StandardCharsets.US_ASCII),
                passphrase(run, config.getAttestorPassphraseCredentialsId(), "attestor key passphrase"));
    }

    private static StandardUsernamePasswordCredentials usernamePassword(Run<?, ?> run, String credentialsId, String what)
            throws AbortException {
        StandardUsernamePasswordCredentials c = CredentialsProvider.findCredentialById(credentialsId,
                StandardUsernamePasswordCredentials.class, run);
        if (c == null) {
            throw new AbortException("[release-gate] no username/password credentials '" + credentialsId
                    + "' visible to this build (" + what + ")");
        }
        CredentialsProvider.track(run, c);
        return c;
    }

    private static StandardCredentials find(Run<?, ?> run, String credentialsId, String what) throws AbortException {
        StandardCredentials c = CredentialsProvider.findCredentialById(credentialsId, StandardCredentials.class, run);
        if (c == null) {
            throw new AbortException("[release-gate] no credentials '" + credentialsId + "' visible to this build (" + what + ")");
        }
        CredentialsProvider.track(run, c);
        return c;
    }

    private static String text(StandardCredentials c, String credentialsId, String what) throws IOException {
        if (c instanceof FileCredentials file) {
            try (InputStream in = file.getContent()) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
        }
        if (c instanceof StringCredentials string) {
            return string.getSecret().getPlainText();
        }
        throw new AbortException("[release-gate] credentials '" + credentialsId + "' (" + what
                + ") must be a secret file, secret text or certificate");
    }

    private static Optional<String> block(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end, Math.max(b, 0));
        if (b < 0 || e < 0) {
            return Optional.empty();
        }
        return Optional.of(pem.substring(b, e + end.length()) + "\n");
    }

    private static KeyMaterial fromKeyStore(StandardCertificateCredentials cert, String credentialsId) throws AbortException {
        try {
            KeyStore ks = cert.getKeyStore();
            char[] password = cert.getPassword().getPlainText().toCharArray();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, password);
                    Certificate certificate = ks.getCertificate(alias);
                    if (key instanceof PrivateKey && certificate != null) {
                        return new KeyMaterial(pem(PRIVATE_KEY, key.getEncoded()),
                                pem(PUBLIC_KEY, certificate.getPublicKey().getEncoded()));
                    }
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new AbortException("[release-gate] cannot read the key in certificate credentials '" + credentialsId
                    + "': " + e.getClass().getSimpleName());
        }
        throw new AbortException("[release-gate] certificate credentials '" + credentialsId + "' hold no private key entry");
    }

    /** Every PEM block of {@code type}, in order. */
    private static String blocks(String pem, String type) {
        StringBuilder out = new StringBuilder();
        String end = "-----END " + type + "-----";
        int from = 0;
        int b;
        while ((b = pem.indexOf("-----BEGIN " + type + "-----", from)) >= 0) {
            int e = pem.indexOf(end, b);
            if (e < 0) {
                break;
            }
            out.append(pem, b, e + end.length()).append('\n');
            from = e + end.length();
        }
        return out.toString();
    }

    /** The key entry of certificate credentials with its certificate chain (leaf first), as PEM. */
    private static KeyMaterial chainFromKeyStore(StandardCertificateCredentials cert, String credentialsId) throws AbortException {
        try {
            KeyStore ks = cert.getKeyStore();
            char[] password = cert.getPassword().getPlainText().toCharArray();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, password);
                    Certificate[] chain = ks.getCertificateChain(alias);
                    if (key instanceof PrivateKey && chain != null && chain.length > 0) {
                        java.io.ByteArrayOutputStream pems = new java.io.ByteArrayOutputStream();
                        for (Certificate c : chain) {
                            pems.writeBytes(pem(CERTIFICATE, c.getEncoded()));
                        }
                        return new KeyMaterial(pem(PRIVATE_KEY, key.getEncoded()), pem(PUBLIC_KEY, chain[0].getPublicKey().getEncoded()),
                                pems.toByteArray(), new byte[0]);
                    }
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new AbortException("[release-gate] cannot read the key in certificate credentials '" + credentialsId
                    + "': " + e.getClass().getSimpleName());
        }
        throw new AbortException("[release-gate] certificate credentials '" + credentialsId + "' hold no private key entry "
                + "with a certificate chain");
    }

    /** The public key of the first certificate in certificate credentials (a trust root needs no private key). */
    private static byte[] certificateKey(StandardCertificateCredentials cert, String credentialsId) throws AbortException {
        try {
            KeyStore ks = cert.getKeyStore();
            for (String alias : Collections.list(ks.aliases())) {
                Certificate certificate = ks.getCertificate(alias);
                if (certificate != null) {
                    return pem(PUBLIC_KEY, certificate.getPublicKey().getEncoded());
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new AbortException("[release-gate] cannot read certificate credentials '" + credentialsId + "': "
                    + e.getClass().getSimpleName());
        }
        throw new AbortException("[release-gate] certificate credentials '" + credentialsId + "' hold no certificate");
    }

    private static byte[] pem(String type, byte[] der) {
        return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }
}
