package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.Cause;
import hudson.model.CauseAction;
import hudson.model.Result;
import io.releasegate.ledger.Event;
import java.nio.file.Files;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The steps in real Pipeline builds, on a real sample release, with the embedded store and ledger. */
@WithJenkins
class ReleasePipelineTest {

    private static final String BUILD_TO_STAGING = """
            node {
              def built = buildOnce(%1$s, artifacts: 'target/*.jar')
              echo "built ${built.reference} ${built.digest}"
              def sbom = generateSbom(%1$s, out: 'target/sbom.cdx.json')
              echo "sbom ${sbom.digest} ${sbom.components}"
              def gates = releaseGate(command: 'gate', args: [%1$s, branch: 'main', sarif: 'build/sast.sarif',
                  sbom: 'target/sbom.cdx.json'])
              echo "gates ${gates.summary}"
              releaseGate(command: 'sign', args: [%1$s], signingKey: 'release-key')
              def prov = releaseGate(command: 'provenance', args: [%1$s, ref: 'main'], signingKey: 'release-key')
              echo "provenance ${prov.predicateType} library=${prov.library}"
              promoteDigest(%1$s, digest: built.digest, to: 'dev')
              verifySignatures(%1$s, signingKey: 'release-key')
              def promoted = promoteDigest(%1$s, digest: built.digest, to: 'staging')
              echo "promoted ${promoted.reference}"
            }
            """.formatted(RELEASE);

    @Test
    void buildOnceToStagingRecordsTheEvidenceAndNeverPrintsTheKey(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job).registerSigningKey();
        job.setDefinition(new CpsFlowDefinition(BUILD_TO_STAGING, true));

        WorkflowRun run = r.assertBuildStatusSuccess(job.scheduleBuild2(0, new CauseAction(new Cause.UserIdCause("rita"))));

        r.assertLogContains("[release-gate] buildOnce payments@1.0.0 as rita", run);
        r.assertLogContains("signatures of payments@1.0.0 verified", run);
        r.assertLogNotContains(sample.privateKeyBody(), run);
        List<Event> events = sample.events();
        assertThat(events).extracting(Event::type).contains("built", "sbom-generated", "gate-evaluated", "promoted");
        Event built = events.stream().filter(e -> e.type().equals("built")).findFirst().orElseThrow();
        assertThat(built.actor()).as("the releaser is the user who started the build").isEqualTo("rita");
        assertThat(events.stream().filter(e -> e.type().equals("promoted")).map(e -> e.text("environment").orElseThrow()))
                .containsExactly("dev", "staging");

        ReleaseEvidenceAction evidence = run.getAction(ReleaseEvidenceAction.class);
        assertThat(evidence.getName()).isEqualTo("payments");
        assertThat(evidence.getDigest()).isEqualTo(built.digest().orElseThrow().toString());
        assertThat(evidence.getSbomDigest()).startsWith("sha256:");
        assertThat(sample.dir.resolve("target/sbom.cdx.json")).isRegularFile();
        assertThat(evidence.getProvenance()).contains("slsa.dev/provenance");
        assertThat(evidence.entriesOf("promotion")).hasSize(2);
        assertThat(evidence.entriesOf("signature")).extracting(ReleaseEvidenceAction.Entry::getSummary)
                .anyMatch(s -> s.endsWith("verified"));
        // the key was written to an owner-only temporary directory and removed
        try (var left = Files.list(sample.dir.resolveSibling(sample.dir.getFileName() + "@tmp"))) {
            assertThat(left).noneMatch(p -> p.getFileName().toString().startsWith("release-gate-key"));
        }
        // the build page shows the evidence
        r.createWebClient().getPage(run, "release-evidence");
    }

    @Test
    void verificationFailsClosedWithTheWrongTrustRoot(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job).registerSigningKey();
        ReleaseGateConfiguration.get().setPublicKey(io.releasegate.signing.KeySigner.generatePem()[1]);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  buildOnce(%1$s, artifacts: 'target/*.jar')
                  releaseGate(command: 'sign', args: [%1$s], signingKey: 'release-key')
                  verifySignatures(%1$s)
                  echo 'not reached'
                }
                """.formatted(RELEASE), true));

        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);

        r.assertLogContains("[release-gate] verifySignatures:", run);
        r.assertLogNotContains("not reached", run);
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("signature"))
                .extracting(ReleaseEvidenceAction.Entry::getSummary).anyMatch(s -> s.contains("NOT verified"));
    }

    @Test
    void refusalsFailTheStepWithTheCoreMessage(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  buildOnce(name: 'payments', version: 'not-a-version', artifacts: 'target/*.jar')
                }
                """, true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("[release-gate] buildOnce: ", run);
        r.assertLogNotContains("\tat io.releasegate", run);

        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'approveProduction', args: [:]) }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("releaseGate: unknown command 'approveProduction'", run);

        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'sign', args: [" + RELEASE + "]) }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("sign needs a signing key", run);

        job.setDefinition(new CpsFlowDefinition(
                "node { releaseGate(command: 'sign', args: [" + RELEASE + "], signingKey: 'missing') }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no credentials 'missing' visible to this build", run);
    }

    @Test
    void noGoNextVersionAndReleaseRecordRunThroughTheGenericStep(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def next = releaseGate(command: 'nextVersion', args: [:])
                  echo "next version ${next.version} (${next.bump}, ${next.commits} commits)"
                  def built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  def nogo = releaseGate(command: 'no-go', args: [%1$s, digest: built.digest, reason: 'smoke tests red'])
                  echo "no-go ${nogo.event}"
                  def record = releaseGate(command: 'releaseRecord', args: [%1$s, out: 'target/release-record.json'])
                  echo "record of ${record.digest}"
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertSuccess(job);
        r.assertLogContains("no-go ", run);
        r.assertLogContains(", 4 commits)", run);    // the sample's three and its committed policy
        r.assertLogContains("record of sha256:", run);
        assertThat(sample.dir.resolve("target/release-record.json")).content().contains("\"payments\"")
                .contains(sample.events().get(0).digest().orElseThrow().toString());
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("no-go"))
                .extracting(ReleaseEvidenceAction.Entry::getSummary).containsExactly("payments@1.0.0: smoke tests red");
        assertThat(sample.events()).hasSizeGreaterThan(1);
    }
}
