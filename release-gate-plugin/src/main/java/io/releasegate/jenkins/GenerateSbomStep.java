package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.util.List;
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
 * {@code generateSbom(name: 'payments', version: '1.4.0', out: 'target/sbom.cdx.json', spdxOut: 'target/sbom.spdx.json')}:
 * the CycloneDX 1.6 and/or SPDX 2.3 SBOM ({@code format}: {@code cyclonedx}, {@code spdx} or {@code both}, the default) of
 * the published artifact, each document stored as an OCI referrer of it and recorded in the ledger.
 */
public class GenerateSbomStep extends ReleaseStep {

    private final String name;
    private final String version;
    private String format = "";
    private String out = "";
    private String spdxOut = "";
    private String mavenRepo = "";

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

    public String getFormat() {
        return format;
    }

    /** {@code cyclonedx}, {@code spdx} or {@code both} (empty: both). */
    @DataBoundSetter
    public void setFormat(String format) {
        this.format = clean(format);
    }

    public String getOut() {
        return out;
    }

    /** Also write the CycloneDX SBOM to this workspace-relative path (for archiving and the gates). */
    @DataBoundSetter
    public void setOut(String out) {
        this.out = clean(out);
    }

    public String getSpdxOut() {
        return spdxOut;
    }

    /** Also write the SPDX SBOM to this workspace-relative path. */
    @DataBoundSetter
    public void setSpdxOut(String spdxOut) {
        this.spdxOut = clean(spdxOut);
    }

    public String getMavenRepo() {
        return mavenRepo;
    }

    /**
     * A Maven repository directory on the agent (absolute, or relative to the workspace), e.g. the build's
     * {@code ~/.m2/repository}: jars without Maven metadata of their own are identified where it holds their exact bytes.
     */
    @DataBoundSetter
    public void setMavenRepo(String mavenRepo) {
        this.mavenRepo = clean(mavenRepo);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient GenerateSbomStep step;

        Execution(GenerateSbomStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = step.core(getContext(), Command.GENERATE_SBOM);
            Run<?, ?> run = call.run();
            Map<String, Object> result = call.arg("name", step.name).arg("version", step.version).arg("format", step.format)
                    .arg("out", step.out).arg("spdxOut", step.spdxOut).arg("mavenRepo", step.mavenRepo)
                    .actor(Identities.releaser(run)).call();
            int components = result.get("components") instanceof Number n ? n.intValue() : 0;
            if (result.get("documents") instanceof List<?> documents) {
                for (Object d : documents) {
                    if (d instanceof Map<?, ?> m) {
                        call.listener().getLogger().println("[release-gate] SBOM (" + m.get("format") + ") " + m.get("digest") + ": "
                                + components + " component(s)");
                    }
                }
            }
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
            return "Release Gate: generate the SBOMs (CycloneDX, SPDX) of a release";
        }
    }
}
