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
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code generateSbom(name: 'payments', version: '1.4.0', out: 'target/sbom.cdx.json')}: the CycloneDX
 * 1.6 SBOM of the published artifact, stored as an OCI referrer of it and recorded in the ledger.
 */
public class GenerateSbomStep extends ReleaseStep {

    private final String name;
    private final String version;
    private String out = "";

    @DataBoundConstructor
    public GenerateSbomStep(String name, String version) {
        this.name = clean(name);
        this.version = clean(version);
    }

    public String getName() {
        return name;
    }

    public String getVersion() {
        return version;
    }

    public String getOut() {
        return out;
    }

    /** Also write the SBOM to this workspace-relative path (for archiving and the gates). */
    @DataBoundSetter
    public void setOut(String out) {
        this.out = clean(out);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        private final String name;
        private final String version;
        private final String out;
        private final String store;
        private final String ledger;
        private final String storeCredentials;

        Execution(GenerateSbomStep step, StepContext context) {
            super(context);
            this.name = step.name;
            this.version = step.version;
            this.out = step.out;
            this.store = step.getStore();
            this.ledger = step.getLedger();
            this.storeCredentials = step.getStoreCredentials();
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = new CoreRun(getContext(), Command.GENERATE_SBOM);
            Run<?, ?> run = call.run();
            Map<String, Object> result = call.arg("name", name).arg("version", version).arg("out", out)
                    .locations(store, ledger).storeCredentials(storeCredentials).actor(Identities.releaser(run)).call();
            int components = result.get("components") instanceof Number n ? n.intValue() : 0;
            call.listener().getLogger().println("[release-gate] SBOM " + result.get("digest") + ": " + components + " component(s)");
            ReleaseEvidenceAction.of(run).sbom(String.valueOf(result.get("digest")), components);
            return result;
        }
    }

    @Extension
    @Symbol("generateSbom")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
        }

        @Override
        public String getFunctionName() {
            return "generateSbom";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: generate the SBOM (CycloneDX) of a release";
        }
    }
}
