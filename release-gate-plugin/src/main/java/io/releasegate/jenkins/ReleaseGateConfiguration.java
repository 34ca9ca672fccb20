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

    /** Release policy (YAML) used for repositories that carry no {@code .release/policy.yaml}. */
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

    @NonNull
    @Override
    public String getDisplayName() {
        return "Release Gate";
    }
}
