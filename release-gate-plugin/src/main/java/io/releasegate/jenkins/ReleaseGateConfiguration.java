package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.ExtensionList;
import jenkins.model.GlobalConfiguration;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * Controller-wide defaults for the Release Gate steps (Manage Jenkins » System » Release Gate), and
 * {@code unclassified: releaseGate:} in Configuration as Code. A step argument wins over these; an
 * empty value here falls back to the embedded defaults under the workspace's {@code .release-gate/}.
 */
@Extension
@Symbol("releaseGate")
public class ReleaseGateConfiguration extends GlobalConfiguration {

    private String store = "";
    private String storeCredentialsId = "";
    private String ledger = "";
    private String signingKeyCredentialsId = "";
    private String signingKeyPassphraseCredentialsId = "";
    private String publicKey = "";
    private String publicKeyCredentialsId = "";
    private String defaultPolicy = "";
    private String signingCertificateCredentialsId = "";
    private String trustedRoot = "";
    private String trustedRootCredentialsId = "";
    private String certificateIdentity = "";
    private String certificateIdentityRegexp = "";
    private String certificateOidcIssuer = "";
    private String tagSigningKeyCredentialsId = "";
    private String tagSigningPassphraseCredentialsId = "";
    private String ledgerCiIdentities = "";
    private String ledgerAttestors = "";
    private String ledgerAllowedSigners = "";
    private String ledgerKeyring = "";
    private String eventSigningKeyCredentialsId = "";
    private String eventSigningPassphraseCredentialsId = "";
    private String attestorKeyCredentialsId = "";
    private String attestorPassphraseCredentialsId = "";

    public ReleaseGateConfiguration() {
        load();
    }

    /** The configuration of this controller. */
    public static @NonNull ReleaseGateConfiguration get() {
        return ExtensionList.lookupSingleton(ReleaseGateConfiguration.class);
    }

    private static String clean(String value) {
        return value == null ? "" : value.trim();
    }

    /** Text areas submit CRLF line ends: keep LF, without surrounding blank space. */
    private static String multiline(String value) {
        return value == null ? "" : value.replace("\r\n", "\n").strip();
    }

    /** OCI store: an OCI image layout directory on the agent, or {@code oci://HOST[:PORT]/NAMESPACE}. */
    public String getStore() {
        return store;
    }

    @DataBoundSetter
    public void setStore(String store) {
        this.store = clean(store);
        save();
    }

    /** Username/password credentials for the registry store. */
    public String getStoreCredentialsId() {
        return storeCredentialsId;
    }

    @DataBoundSetter
    public void setStoreCredentialsId(String storeCredentialsId) {
        this.storeCredentialsId = clean(storeCredentialsId);
        save();
    }

    /** Git ledger: a bare repository path on the agent or a git remote URL. */
    public String getLedger() {
        return ledger;
    }

    @DataBoundSetter
    public void setLedger(String ledger) {
        this.ledger = clean(ledger);
        save();
    }

    /** Credentials holding the release signing key (PEM file or secret text, or a certificate). */
    public String getSigningKeyCredentialsId() {
        return signingKeyCredentialsId;
    }

    @DataBoundSetter
    public void setSigningKeyCredentialsId(String signingKeyCredentialsId) {
        this.signingKeyCredentialsId = clean(signingKeyCredentialsId);
        save();
    }

    /** Trust root: the release public key as PEM text (public, not a secret). */
    public String getPublicKey() {
        return publicKey;
    }

    @DataBoundSetter
    public void setPublicKey(String publicKey) {
        this.publicKey = multiline(publicKey);
        save();
    }

    /** Trust root: credentials (file or secret text) holding the release public key, when not given as text. */
    public String getPublicKeyCredentialsId() {
        return publicKeyCredentialsId;
    }

    @DataBoundSetter
    public void setPublicKeyCredentialsId(String publicKeyCredentialsId) {
        this.publicKeyCredentialsId = clean(publicKeyCredentialsId);
        save();
    }

    /**
     * The controller's release policy (YAML): the central policy every step runs under — the baseline a team's
     * {@code .release/policy.yaml} may only tighten, and the production policy of a release that commits none. Its
     * digest is pinned by the controller for each call, so the copy an agent reads cannot be swapped.
     */
    public String getDefaultPolicy() {
        return defaultPolicy;
    }

    @DataBoundSetter
    public void setDefaultPolicy(String defaultPolicy) {
        this.defaultPolicy = multiline(defaultPolicy);
        save();
    }

    /**
     * Certificate mode, signing: credentials holding the signing certificate (Certificate credentials with the key and
     * its chain, or a secret file / secret text with the PEM certificate and its chain). Set, {@code sign} signs with
     * the certificate and stores a Sigstore bundle.
     */
    public String getSigningCertificateCredentialsId() {
        return signingCertificateCredentialsId;
    }

    @DataBoundSetter
    public void setSigningCertificateCredentialsId(String signingCertificateCredentialsId) {
        this.signingCertificateCredentialsId = clean(signingCertificateCredentialsId);
        save();
    }

    /** Certificate mode, trust root as text: a Sigstore {@code trusted_root.json} or a PEM bundle of CA certificates. */
    public String getTrustedRoot() {
        return trustedRoot;
    }

    @DataBoundSetter
    public void setTrustedRoot(String trustedRoot) {
        this.trustedRoot = multiline(trustedRoot);
        save();
    }

    /** Certificate mode, trust root from credentials (secret file or secret text), when not given as text. */
    public String getTrustedRootCredentialsId() {
        return trustedRootCredentialsId;
    }

    @DataBoundSetter
    public void setTrustedRootCredentialsId(String trustedRootCredentialsId) {
        this.trustedRootCredentialsId = clean(trustedRootCredentialsId);
        save();
    }

    /** Certificate mode, default expected signer: the certificate identity (SAN email or URI), exactly. */
    public String getCertificateIdentity() {
        return certificateIdentity;
    }

    @DataBoundSetter
    public void setCertificateIdentity(String certificateIdentity) {
        this.certificateIdentity = clean(certificateIdentity);
        save();
    }

    /** Certificate mode, default expected signer as a regular expression the whole identity must match. */
    public String getCertificateIdentityRegexp() {
        return certificateIdentityRegexp;
    }

    @DataBoundSetter
    public void setCertificateIdentityRegexp(String certificateIdentityRegexp) {
        this.certificateIdentityRegexp = clean(certificateIdentityRegexp);
        save();
    }

    /** Certificate mode, default OIDC issuer the signing certificate must name. */
    public String getCertificateOidcIssuer() {
        return certificateOidcIssuer;
    }

    @DataBoundSetter
    public void setCertificateOidcIssuer(String certificateOidcIssuer) {
        this.certificateOidcIssuer = clean(certificateOidcIssuer);
        save();
    }

    /**
     * Secret text credentials holding the release signing key's passphrase (an encrypted key file) or its PKCS#11 token's
     * PIN (a signing key credential holding a {@code pkcs11:} URI); empty: none.
     */
    public String getSigningKeyPassphraseCredentialsId() {
        return signingKeyPassphraseCredentialsId;
    }

    @DataBoundSetter
    public void setSigningKeyPassphraseCredentialsId(String signingKeyPassphraseCredentialsId) {
        this.signingKeyPassphraseCredentialsId = clean(signingKeyPassphraseCredentialsId);
        save();
    }

    /** Credentials (secret file or secret text) holding the armored OpenPGP secret key that signs release tags. */
    public String getTagSigningKeyCredentialsId() {
        return tagSigningKeyCredentialsId;
    }

    @DataBoundSetter
    public void setTagSigningKeyCredentialsId(String tagSigningKeyCredentialsId) {
        this.tagSigningKeyCredentialsId = clean(tagSigningKeyCredentialsId);
        save();
    }

    /** Secret text credentials holding the passphrase of the tag signing key; empty: an unprotected key. */
    public String getTagSigningPassphraseCredentialsId() {
        return tagSigningPassphraseCredentialsId;
    }

    @DataBoundSetter
    public void setTagSigningPassphraseCredentialsId(String tagSigningPassphraseCredentialsId) {
        this.tagSigningPassphraseCredentialsId = clean(tagSigningPassphraseCredentialsId);
        save();
    }

    /**
     * Ledger trust: the identities that may assert the pipeline's events (principals of SSH keys, e-mail addresses of
     * OpenPGP keys), separated by commas or white space. Empty: the ledger runs in trial mode (docs/ledger.md).
     */
    public String getLedgerCiIdentities() {
        return ledgerCiIdentities;
    }

    @DataBoundSetter
    public void setLedgerCiIdentities(String ledgerCiIdentities) {
        this.ledgerCiIdentities = clean(ledgerCiIdentities);
        save();
    }

    /** Ledger trust: the identities that may sign that a person approved (this controller's attestor key). */
    public String getLedgerAttestors() {
        return ledgerAttestors;
    }

    @DataBoundSetter
    public void setLedgerAttestors(String ledgerAttestors) {
        this.ledgerAttestors = clean(ledgerAttestors);
        save();
    }

    /** Ledger trust: git's allowed-signers lines ({@code principal key-type key}) for the SSH keys believed. */
    public String getLedgerAllowedSigners() {
        return ledgerAllowedSigners;
    }

    @DataBoundSetter
    public void setLedgerAllowedSigners(String ledgerAllowedSigners) {
        this.ledgerAllowedSigners = multiline(ledgerAllowedSigners);
        save();
    }

    /** Ledger trust: the armored OpenPGP public keys believed (several may be concatenated). */
    public String getLedgerKeyring() {
        return ledgerKeyring;
    }

    @DataBoundSetter
    public void setLedgerKeyring(String ledgerKeyring) {
        this.ledgerKeyring = multiline(ledgerKeyring);
        save();
    }

    /**
     * Credentials (secret file or secret text) holding the CI key that signs the pipeline's ledger events: an armored
     * OpenPGP secret key or an OpenSSH private key whose identity is one of the ledger's CI identities.
     */
    public String getEventSigningKeyCredentialsId() {
        return eventSigningKeyCredentialsId;
    }

    @DataBoundSetter
    public void setEventSigningKeyCredentialsId(String eventSigningKeyCredentialsId) {
        this.eventSigningKeyCredentialsId = clean(eventSigningKeyCredentialsId);
        save();
    }

    /** Secret text credentials holding the passphrase of the event signing key; empty: an unprotected key. */
    public String getEventSigningPassphraseCredentialsId() {
        return eventSigningPassphraseCredentialsId;
    }

    @DataBoundSetter
    public void setEventSigningPassphraseCredentialsId(String eventSigningPassphraseCredentialsId) {
        this.eventSigningPassphraseCredentialsId = clean(eventSigningPassphraseCredentialsId);
        save();
    }

    /**
     * Credentials (secret file or secret text) holding this controller's attestor key, an armored OpenPGP secret key
     * whose e-mail address is one of the ledger's attestors. It signs, on the controller, that the user who submitted an
     * input approved a digest; agents never receive it.
     */
    public String getAttestorKeyCredentialsId() {
        return attestorKeyCredentialsId;
    }

    @DataBoundSetter
    public void setAttestorKeyCredentialsId(String attestorKeyCredentialsId) {
        this.attestorKeyCredentialsId = clean(attestorKeyCredentialsId);
        save();
    }

    /** Secret text credentials holding the passphrase of the attestor key; empty: an unprotected key. */
    public String getAttestorPassphraseCredentialsId() {
        return attestorPassphraseCredentialsId;
    }

    @DataBoundSetter
    public void setAttestorPassphraseCredentialsId(String attestorPassphraseCredentialsId) {
        this.attestorPassphraseCredentialsId = clean(attestorPassphraseCredentialsId);
        save();
    }

    /** A list setting split at commas and white space. */
    static java.util.List<String> list(String value) {
        return java.util.Arrays.stream(value.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }

    @NonNull
    @Override
    public String getDisplayName() {
        return "Release Gate";
    }
}
