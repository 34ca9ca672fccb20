package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code buildOnce(name: 'payments', version: '1.4.0', artifacts: 'target/*.jar')}: digests the build
 * outputs in the workspace, publishes them by digest and records a {@code built} event. All the work
 * is {@code io.releasegate.steps.PipelineSteps#buildOnce} in the core, run on the agent.
 */
public class BuildOnceStep extends Step implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String version;
    private final String artifacts;
    private String store = "";
    private String ledger = "";

    @DataBoundConstructor
    public BuildOnceStep(String name, String version, String artifacts) {
        this.name = name;
        this.version = version;
        this.artifacts = artifacts;
    }

    public String getName() {
        return name;
    }

    public String getVersion() {
        return version;
    }

    public String getArtifacts() {
        return artifacts;
    }

    public String getStore() {
        return store;
    }

    @DataBoundSetter
    public void setStore(String store) {
        this.store = store == null ? "" : store.trim();
    }

    public String getLedger() {
        return ledger;
    }

    @DataBoundSetter
    public void setLedger(String ledger) {
        this.ledger = ledger == null ? "" : ledger.trim();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        private final String name;
        private final String version;
        private final String artifacts;
        private final String store;
        private final String ledger;

        Execution(BuildOnceStep step, StepContext context) {
            super(context);
            this.name = step.name;
            this.version = step.version;
            this.artifacts = step.artifacts;
            this.store = step.store;
            this.ledger = step.ledger;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            FilePath workspace = getContext().get(FilePath.class);
            Run<?, ?> run = getContext().get(Run.class);
            TaskListener listener = getContext().get(TaskListener.class);
            String actor = Identities.releaser(run);
            listener.getLogger().println("[release-gate] buildOnce " + name + "@" + version + " as " + actor);
            return workspace.act(new BuildOnceCallable(name, version, artifacts, store, ledger, actor, listener));
        }
    }

    @Extension
    @Symbol("buildOnce")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class, EnvVars.class);
        }

        @Override
        public String getFunctionName() {
            return "buildOnce";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: build once (publish build outputs by digest)";
        }
    }
}
