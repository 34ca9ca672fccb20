package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * {@code promoteDigest(name: 'payments', version: '1.4.0', digest: d, to: 'staging')}: moves that exact
 * digest into the environment (never a rebuild), when the policy's conditions for it hold.
 */
public class PromoteDigestStep extends ReleaseStep {

    private final String name;
    private final String version;
    private final String digest;
    private final String to;

    @DataBoundConstructor
    public PromoteDigestStep(String name, String version, String digest, String to) {
        this.name = clean(name);
        this.version = clean(version);
        this.digest = clean(digest);
        this.to = clean(to);
    }

    public String getName() {
        return name;
    }

    public String getVersion() {
        return version;
    }

    public String getDigest() {
        return digest;
    }

    public String getTo() {
        return to;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        private final String name;
        private final String version;
        private final String digest;
        private final String to;
        private final String store;
        private final String ledger;

        Execution(PromoteDigestStep step, StepContext context) {
            super(context);
            this.name = step.name;
            this.version = step.version;
            this.digest = step.digest;
            this.to = step.to;
            this.store = step.getStore();
            this.ledger = step.getLedger();
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = new CoreRun(getContext(), Command.PROMOTE_DIGEST);
            Run<?, ?> run = call.run();
            String actor = Identities.releaser(run);
            Map<String, Object> result = call.arg("name", name).arg("version", version).arg("digest", digest).arg("to", to)
                    .locations(store, ledger).actor(actor).call();
            call.listener().getLogger().println("[release-gate] promoted " + digest + " to " + result.get("environment")
                    + " as " + result.get("reference"));
            ReleaseEvidenceAction.of(run).record("promotion", digest + " to " + result.get("environment") + " ("
                    + result.get("reference") + ")", actor);
            return result;
        }
    }

    @Extension
    @Symbol("promoteDigest")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
        }

        @Override
        public String getFunctionName() {
            return "promoteDigest";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: promote a digest to an environment";
        }
    }
}
