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
 * {@code buildOnce(name: 'payments', version: '1.4.0', artifacts: 'target/*.jar')}: digests the build
 * outputs in the workspace, publishes them by digest and records a {@code built} event. All the work
 * is {@code io.releasegate.steps.PipelineSteps#buildOnce} in the core, run on the agent.
 */
public class BuildOnceStep extends ReleaseStep {

    private final String name;
    private final String version;
    private final String artifacts;
    private String targets = "";

    @DataBoundConstructor
    public BuildOnceStep(String name, String version, String artifacts) {
        this.name = clean(name);
        this.version = clean(version);
        this.artifacts = clean(artifacts);
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

    /** The targets the release must ship: subject names or globs, comma-separated (none: no target is checked). */
    @DataBoundSetter
    public void setTargets(String targets) {
        this.targets = clean(targets);
    }

    public String getTargets() {
        return targets;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient BuildOnceStep step;

        Execution(BuildOnceStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = step.core(getContext(), Command.BUILD_ONCE);
            Run<?, ?> run = call.run();
            String actor = Identities.releaser(run);
            call.listener().getLogger().println("[release-gate] buildOnce " + step.name + "@" + step.version + " as " + actor);
            Map<String, Object> out = call.arg("name", step.name).arg("version", step.version).arg("artifacts", step.artifacts)
                    .arg("targets", step.targets).actor(actor).call();
            if (out.get("missingTargets") != null) {
                call.listener().getLogger().println("[release-gate] " + step.name + "@" + step.version + " is incomplete: no subject for "
                        + "the expected target(s) " + out.get("missingTargets") + "; it cannot be promoted to production");
            }
            call.listener().getLogger().println("[release-gate] " + out.get("reference") + " is " + out.get("digest")
                    + " (" + out.get("outcome") + ")");
            ReleaseEvidenceAction.of(run).built(step.name, step.version, String.valueOf(out.get("digest")),
                    String.valueOf(out.get("reference")));
            return out;
        }
    }

    @Extension
    @Symbol("buildOnce")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
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
