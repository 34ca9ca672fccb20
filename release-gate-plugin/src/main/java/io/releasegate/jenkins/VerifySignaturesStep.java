package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code verifySignatures(name: 'payments', version: '1.4.0')}: fails the build unless the release's
 * signatures verify with the release public key, which comes from the controller's trust roots
 * (Manage Jenkins » System » Release Gate), or else from the public key stored with {@code signingKey}.
 * <p>
 * Certificate mode, like {@code cosign verify-blob --certificate-identity-regexp ... --certificate-oidc-issuer ...}:
 * with {@code certificateIdentity} or {@code certificateIdentityRegexp} (the step's, else the controller's default)
 * a stored Sigstore bundle of the release must verify against the controller's trust root ({@code trusted_root.json}
 * or a PEM bundle of CAs) for that identity and {@code certificateOidcIssuer}, and the stored provenance with the key
 * of that certificate.
 */
public class VerifySignaturesStep extends ReleaseStep {

    private final String name;
    private final String version;
    private String signingKey = "";
    private String certificateIdentity = "";
    private String certificateIdentityRegexp = "";
    private String certificateOidcIssuer = "";

    @DataBoundConstructor
    public VerifySignaturesStep(String name, String version) {
        this.name = clean(name);
        this.version = clean(version);
    }

    public String getName() {
        return name;
    }

    public String getVersion() {
        return version;
    }

    public String getSigningKey() {
        return signingKey;
    }

    /** Credentials id of the signing key, whose stored public key is used when no trust root is configured. */
    @DataBoundSetter
    public void setSigningKey(String signingKey) {
        this.signingKey = clean(signingKey);
    }

    public String getCertificateIdentity() {
        return certificateIdentity;
    }

    /** Certificate mode: the signer's identity (certificate SAN email or URI), exactly. */
    @DataBoundSetter
    public void setCertificateIdentity(String certificateIdentity) {
        this.certificateIdentity = clean(certificateIdentity);
    }

    public String getCertificateIdentityRegexp() {
        return certificateIdentityRegexp;
    }

    /** Certificate mode: a regular expression the whole certificate identity must match. */
    @DataBoundSetter
    public void setCertificateIdentityRegexp(String certificateIdentityRegexp) {
        this.certificateIdentityRegexp = clean(certificateIdentityRegexp);
    }

    public String getCertificateOidcIssuer() {
        return certificateOidcIssuer;
    }

    /** Certificate mode: the OIDC issuer the signing certificate must name. */
    @DataBoundSetter
    public void setCertificateOidcIssuer(String certificateOidcIssuer) {
        this.certificateOidcIssuer = clean(certificateOidcIssuer);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient VerifySignaturesStep step;

        Execution(VerifySignaturesStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = step.core(getContext(), Command.VERIFY_SIGNATURES);
            Run<?, ?> run = call.run();
            String actor = Identities.releaser(run);
            String release = step.name + "@" + step.version;
            Map<String, Object> args = new HashMap<>();
            args.put("certificateIdentity", step.certificateIdentity);
            args.put("certificateIdentityRegexp", step.certificateIdentityRegexp);
            args.put("certificateOidcIssuer", step.certificateOidcIssuer);
            KeyMaterial key = trust(run, step.signingKey, args);
            Map<String, Object> result;
            try {
                result = call.arg("name", step.name).arg("version", step.version).args(args).actor(actor).keys(key).call();
            } catch (hudson.AbortException e) {
                ReleaseEvidenceAction.of(run).record("signature", release + ": NOT verified: " + e.getMessage(), actor);
                throw e;
            }
            String verified = verified(result);
            call.listener().getLogger().println("[release-gate] signatures of " + release + " verified" + verified);
            ReleaseEvidenceAction.of(run).record("signature", release + ": verified" + verified, actor);
            return result;
        }
    }

    /**
     * What a verification checks against, and in which mode. Certificate mode when {@code args} name a certificate
     * identity or issuer, or else when the controller sets a default identity: the controller's defaults fill what the
     * step left empty, empty values are dropped, and the trust root comes from the controller (none configured: the
     * core names it as missing). Otherwise the release public key ({@link #publicKey}).
     */
    static KeyMaterial trust(Run<?, ?> run, String signingKey, Map<String, Object> args) throws java.io.IOException {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        args.values().removeIf(v -> v == null || v.toString().isBlank());
        if (!args.containsKey("certificateIdentity") && !args.containsKey("certificateIdentityRegexp")) {
            putIfSet(args, "certificateIdentity", config.getCertificateIdentity());
            putIfSet(args, "certificateIdentityRegexp", config.getCertificateIdentityRegexp());
        }
        if (args.isEmpty()) {
            return KeyMaterial.publicOnly(publicKey(run, signingKey));
        }
        putIfSet(args, "certificateOidcIssuer", config.getCertificateOidcIssuer());
        return KeyMaterial.trustRootOnly(Secrets.trustRoot(run, config));
    }

    private static void putIfSet(Map<String, Object> args, String key, String value) {
        if (!args.containsKey(key) && !value.isEmpty()) {
            args.put(key, value);
        }
    }

    /** {@code " (certificate of ID, issuer URL)"} for a certificate-mode result, else nothing. */
    static String verified(Map<String, Object> result) {
        return "certificate".equals(result.get("mode"))
                ? " (certificate of " + result.get("identity") + ", issuer " + result.get("issuer") + ")" : "";
    }

    /** The trust root for a verification; the signing key's private half never leaves the controller here. */
    static byte[] publicKey(Run<?, ?> run, String signingKey) throws java.io.IOException {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        if (!config.getPublicKey().isEmpty() || !config.getPublicKeyCredentialsId().isEmpty()) {
            return Secrets.publicKey(run, config, Optional.empty());
        }
        String id = signingKey.isEmpty() ? config.getSigningKeyCredentialsId() : signingKey;
        Optional<KeyMaterial> stored = id.isEmpty() ? Optional.empty() : Optional.of(Secrets.signingKey(run, id, ""));
        return Secrets.publicKey(run, config, stored);
    }

    @Extension
    @Symbol("verifySignatures")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
        }

        @Override
        public String getFunctionName() {
            return "verifySignatures";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: verify the signatures of a release (fails closed)";
        }
    }
}
