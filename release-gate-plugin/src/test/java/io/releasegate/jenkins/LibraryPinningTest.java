package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.libs.GlobalLibraries;
import org.jenkinsci.plugins.workflow.libs.LibraryConfiguration;
import org.jenkinsci.plugins.workflow.libs.LibraryRetriever;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The provenance names the library the build really loaded (as pipeline-groovy-lib recorded it), not what
 * the script claims, and says whether it was pinned: a release tag or commit that Jenkinsfiles cannot override.
 */
@WithJenkins
class LibraryPinningTest {

    private static final String PROVENANCE = """
            node {
              buildOnce(%1$s, artifacts: 'target/*.jar')
              def p = releaseGate(command: 'provenance', args: [%1$s, ref: 'main', libraryName: 'golden',
                  libraryVersion: 'v9.9.9'], signingKey: 'release-key')
              echo "library=${p.library} pinned=${p.libraryPinned}"
            }
            """.formatted(RELEASE);

    @Test
    void aPinnedDefaultVersionIsRecordedAsPinned(JenkinsRule r) throws Exception {
        library(r, "v1.4.0", false);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job).registerSigningKey();
        job.setDefinition(new CpsFlowDefinition("@Library('golden') _\n" + PROVENANCE, true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("library=golden@v1.4.0 (pinned), trusted pinned=true", run);
        assertThat(run.getAction(ReleaseEvidenceAction.class).getLibrary()).isEqualTo("golden@v1.4.0 (pinned), trusted");
    }

    @Test
    void aBranchOrAnOverridableVersionIsNotPinned(JenkinsRule r) throws Exception {
        library(r, "v1.4.0", true);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job).registerSigningKey();
        job.setDefinition(new CpsFlowDefinition("@Library('golden@main') _\n" + PROVENANCE, true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("library=golden@main (not pinned), trusted pinned=false", run);
    }

    @Test
    void noLibraryNoClaim(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job).registerSigningKey();
        job.setDefinition(new CpsFlowDefinition(PROVENANCE, true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("this build loaded no library 'golden'", run);
        r.assertLogContains("library=no library recorded pinned=false", run);
    }

    @Test
    void libraryCheckUsesTheVersionJenkinsLoadedNotTheScripts(JenkinsRule r) throws Exception {
        library(r, "v1.4.0", false);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        // the script claims a moving ref; Jenkins loaded the pinned default: the check passes
        job.setDefinition(new CpsFlowDefinition("@Library('golden') _\nnode { def c = releaseGate(command: 'library-check', "
                + "args: [libraryName: 'golden', libraryVersion: 'main']); echo \"pinned=${c.pinned}\" }", true));
        r.assertLogContains("pinned=true", r.buildAndAssertSuccess(job));

        // the script claims a release tag; Jenkins loaded a branch: refused before anyone is asked to approve
        library(r, "v1.4.0", true);
        job.setDefinition(new CpsFlowDefinition("@Library('golden@main') _\nnode { releaseGate(command: 'library-check', "
                + "args: [libraryName: 'golden', libraryVersion: 'v1.4.0']) }", true));
        WorkflowRun run = r.buildAndAssertStatus(hudson.model.Result.FAILURE, job);
        r.assertLogContains("promote.library-unpinned", run);
        r.assertLogContains("loaded from 'main'", run);
    }

    /** Registers a global library {@code golden} with one harmless global variable, served from a directory. */
    private static void library(JenkinsRule r, String defaultVersion, boolean overridable) throws Exception {
        Path dir = r.jenkins.getRootDir().toPath().resolve("golden-library");
        Files.createDirectories(dir.resolve("vars"));
        Files.writeString(dir.resolve("vars/hello.groovy"), "def call() { echo 'hello' }\n", StandardCharsets.UTF_8);
        LibraryConfiguration golden = new LibraryConfiguration("golden", new DirectoryRetriever(dir.toString()));
        golden.setDefaultVersion(defaultVersion);
        golden.setAllowVersionOverride(overridable);
        GlobalLibraries.get().setLibraries(List.of(golden));
    }

    /** Serves the library from a directory, whatever version is asked (the version is what the record shows). */
    private static final class DirectoryRetriever extends LibraryRetriever {
        private final String dir;

        DirectoryRetriever(String dir) {
            this.dir = dir;
        }

        @Override
        public void retrieve(String name, String version, boolean changelog, FilePath target, Run<?, ?> run,
                             TaskListener listener) throws Exception {
            new FilePath(new java.io.File(dir)).copyRecursiveTo(target);
        }

        @Override
        public void retrieve(String name, String version, FilePath target, Run<?, ?> run, TaskListener listener)
                throws Exception {
            retrieve(name, version, false, target, run, listener);
        }
    }
}
