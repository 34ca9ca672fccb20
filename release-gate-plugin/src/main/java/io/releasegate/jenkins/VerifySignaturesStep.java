package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
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
 */
public class VerifySignaturesStep extends ReleaseStep {

    private final String name;
    private final String version;
    private String signingKey = "";

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

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        private final String name;
        private final String version;
        private final String signingKey;
        private final String store;
        private final String ledger;
        private final String storeCredentials;

        Execution(VerifySignaturesStep step, StepContext context) {
            super(context);
            this.name = step.name;
            this.version = step.version;
            this.signingKey = step.signingKey;
            this.store = step.getStore();
            this.ledger = step.getLedger();
            this.storeCredentials = step.getStoreCredentials();
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = new CoreRun(getContext(), Command.VERIFY_SIGNATURES);
            Run<?, ?> run = call.run();
            String actor = Identities.releaser(run);
            KeyMaterial key = KeyMaterial.publicOnly(publicKey(run, signingKey));
            Map<String, Object> result;
            try {
                result = call.arg("name", name).arg("version", version).locations(store, ledger)
                        .storeCredentials(storeCredentials).actor(actor).keys(key).call();
            } catch (hudson.AbortException e) {
                ReleaseEvidenceAction.of(run).record("signature", name + "@" + version + ": NOT verified: " + e.getMessage(), actor);
                throw e;
            }
            call.listener().getLogger().println("[release-gate] signatures of " + name + "@" + version + " verified");
            ReleaseEvidenceAction.of(run).record("signature", name + "@" + version + ": verified", actor);
            return result;
        }
    }

    /** The trust root for a verification; the signing key's private half never leaves the controller here. */
    static byte[] publicKey(Run<?, ?> run, String signingKey) throws java.io.IOException {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        if (!config.getPublicKey().isEmpty() || !config.getPublicKeyCredentialsId().isEmpty()) {
            return Secrets.publicKey(run, config, Optional.empty());
        }
        String id = signingKey.isEmpty() ? config.getSigningKeyCredentialsId() : signingKey;
        Optional<KeyMaterial> stored = id.isEmpty() ? Optional.empty() : Optional.of(Secrets.signingKey(run, id));
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
