package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.Result;
import hudson.util.Secret;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventAttestation;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.ledger.Verification;
import io.releasegate.signing.OpenPgpKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * A trusted ledger in Jenkins: the pipeline's events are signed with the CI credential, an approval is signed on the
 * controller by the attestor key after the controller checked it is what the input's submitter gave, and a reader with
 * the same trust believes each for exactly what its signer may assert. The controller's policy is the central policy:
 * it is never written into the workspace, and a team policy may only tighten it.
 */
@WithJenkins
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)  // a build waiting for an input never ends
class LedgerTrustTest {

    static final String CI = "ci@release-gate.test";
    static final String ATTESTOR = "jenkins@release-gate.test";

    @TempDir
    Path tmp;

    /** A trust as the admin configures it, and the same trust on disk for the test's own reading of the ledger. */
    Path trust(boolean attestorKey) throws Exception {
        String[] ci = OpenPgpKeys.generateEd25519Armored("Release CI <" + CI + ">", new Date());
        String[] attestor = OpenPgpKeys.generateEd25519Armored("Jenkins controller <" + ATTESTOR + ">", new Date());
        secret("ledger-ci", ci[0]);
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        config.setLedgerCiIdentities(CI);
        config.setLedgerAttestors(ATTESTOR);
        config.setLedgerKeyring(ci[1] + attestor[1]);
        config.setEventSigningKeyCredentialsId("ledger-ci");
        if (attestorKey) {
            secret("ledger-attestor", attestor[0]);
            config.setAttestorKeyCredentialsId("ledger-attestor");
        }
        Files.writeString(tmp.resolve("keyring.asc"), ci[1] + attestor[1]);
        return Files.writeString(tmp.resolve("trust.yaml"), "version: 1\nkeyring: keyring.asc\nci: [" + CI + "]\nattestors: ["
                + ATTESTOR + "]\n");
    }

    static void secret(String id, String text) throws Exception {
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(),
                new StringCredentialsImpl(CredentialsScope.GLOBAL, id, "test key (generated)", Secret.fromString(text)));
    }

    static void users(JenkinsRule r) {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy().grant(hudson.model.Item.READ, hudson.model.Item.BUILD,
                hudson.model.Item.CANCEL).everywhere().to("alice", "mia", "dora").grant(Jenkins.READ).everywhere()
                .to("alice", "mia", "dora"));
    }

    List<Ledger.Entry> entries(SampleWorkspace sample, Path trust) {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(sample.dir.resolve(CoreCallable.STATE_DIR))
                .withTrust(Optional.of(trust)))) {
            assertThat(ctx.ledger().checkpoints()).as("checkpoints of the ledger's head in the store").isNotEmpty()
                    .allSatisfy(c -> assertThat(c.problem()).isEmpty());
            return ctx.ledger().entries();
        }
    }

    @Test
    void ciEventsCarryTheCiKeyAndApprovalsTheControllersAttestation(JenkinsRule r) throws Exception {
        users(r);
        Path trust = trust(true);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition(ApprovalIdentityTest.APPROVAL_LOOP, true));

        WorkflowRun run = job.scheduleBuild2(0).waitForStart();
        ApprovalIdentityTest.submit(run, "alice", "maintainer", "my own change");      // an author: refused, nothing signed
        ApprovalIdentityTest.submit(run, "mia", "maintainer", "tests and gates green");
        ApprovalIdentityTest.submit(run, "dora", "domain-reviewer", "payments behaviour reviewed");
        r.assertBuildStatusSuccess(r.waitForCompletion(run));

        r.assertLogNotContains("trial mode", run);
        r.assertLogContains("the controller attested approved by mia or decision by mia", run);
        List<Ledger.Entry> entries = entries(sample, trust);
        assertThat(entries).extracting(e -> e.event().type()).containsExactly("built", "approved", "approved", "decision");
        assertThat(entries).allSatisfy(e -> assertThat(e.verification()).isInstanceOf(Verification.Verified.class));
        Verification.Verified built = (Verification.Verified) entries.get(0).verification();
        assertThat(built.principal()).isEqualTo(CI);
        assertThat(built.attested()).isFalse();
        for (Ledger.Entry approval : entries.subList(1, 4)) {
            Verification.Verified v = (Verification.Verified) approval.verification();
            assertThat(v.principal()).isEqualTo(ATTESTOR);
            assertThat(v.attested()).isTrue();
        }
        assertThat(entries.subList(1, 3)).extracting(e -> e.event().actor()).containsExactly("mia", "dora");
        // nothing of the trust or the keys was left in the workspace or its temporary directory
        assertThat(sample.dir.resolve("trust.yaml")).doesNotExist();
        sample.assertNoSecretFileLeft();
    }

    @Test
    void aRecordedRunIsACiEventSignedWithTheEventSigningKey(JenkinsRule r) throws Exception {
        Path trust = trust(false);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  buildOnce(%1$s, artifacts: 'target/*.jar')
                  releaseGate(command: 'record-run', args: [name: 'payments', branch: 'main', result: 'SUCCESS', durationMs: 1000])
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertSuccess(job);
        r.assertLogNotContains("trial mode", run);
        List<Ledger.Entry> entries = entries(sample, trust);
        assertThat(entries).extracting(e -> e.event().type()).containsExactly("built", "pipeline-finished");
        Ledger.Entry recorded = entries.get(1);
        assertThat(recorded.event().subject()).isEqualTo("pipeline:payments");
        assertThat(recorded.verification()).isInstanceOf(Verification.Verified.class);
        Verification.Verified v = (Verification.Verified) recorded.verification();
        assertThat(v.principal()).isEqualTo(CI);
        assertThat(v.attested()).isFalse();
        sample.assertNoSecretFileLeft();
    }

    @Test
    void withATrustedLedgerAnApprovalNeedsTheAttestorKeyAndNothingIsAppendedWithoutIt(JenkinsRule r) throws Exception {
        users(r);
        Path trust = trust(false);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                def built
                node { built = buildOnce(%1$s, artifacts: 'target/*.jar') }
                input(message: 'Release?')
                node { approveProduction(%1$s, digest: built.digest, role: 'maintainer', rationale: 'ok') }
                """.formatted(RELEASE), true));
        WorkflowRun run = job.scheduleBuild2(0).waitForStart();
        ApprovalIdentityTest.submit(run, "mia", null, null);
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(run));
        r.assertLogContains("a person's events need the controller's attestor key", run);
        assertThat(entries(sample, trust)).extracting(e -> e.event().type()).containsExactly("built");
    }

    @Test
    void aTrustWithoutAnEventSigningKeyIsRefusedBeforeAnythingIsRecorded(JenkinsRule r) throws Exception {
        ReleaseGateConfiguration.get().setLedgerCiIdentities(CI);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("node { buildOnce(%1$s, artifacts: 'target/*.jar') }".formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no event signing key is configured", run);
        assertThat(sample.dir.resolve(CoreCallable.STATE_DIR).resolve("ledger.git")).doesNotExist();
    }

    /** What a compromised agent could ask the controller's attestor for: nothing but the approval the controller saw. */
    @Test
    void theControllersAttestorSignsOnlyWhatTheSubmitterGave(JenkinsRule r) throws Exception {
        String[] attestor = OpenPgpKeys.generateEd25519Armored("Jenkins controller <" + ATTESTOR + ">", new Date());
        Digest digest = Digest.parse("sha256:" + "ab".repeat(32));
        ControllerAttestor controller = new ControllerAttestor(new ArmoredKey(attestor[0].getBytes(StandardCharsets.US_ASCII),
                new char[0]), List.of(new EventAttestation.Expected("approved", "payments@1.0.0", digest, "mia")),
                hudson.model.TaskListener.NULL);
        Event genuine = Event.draft("approved", "payments@1.0.0", Optional.of(digest), "mia", Instant.parse("2026-12-01T10:00:00Z"),
                io.releasegate.json.Json.object().put("role", "maintainer"));
        byte[] document = GitLedger.document(genuine);
        assertThat(new String(controller.attest(commit(document, "mia"), document), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PGP SIGNATURE-----");
        for (Event forged : List.of(
                Event.draft("approved", "payments@1.0.0", Optional.of(digest), "dora", genuine.time(), genuine.payload()),
                Event.draft("approved", "payments@1.0.0", Optional.of(Digest.parse("sha256:" + "cd".repeat(32))), "mia",
                        genuine.time(), genuine.payload()),
                Event.draft("emergency-approved", "payments@1.0.0", Optional.of(digest), "mia", genuine.time(), genuine.payload()),
                Event.draft("approved", "payments@9.9.9", Optional.of(digest), "mia", genuine.time(), genuine.payload()))) {
            byte[] doc = GitLedger.document(forged);
            assertThatThrownBy(() -> controller.attest(commit(doc, forged.actor()), doc)).isInstanceOf(InputException.class)
                    .hasMessageContaining("the attestor will not sign this event");
        }
        // the genuine document shown for a commit that holds another one
        byte[] other = GitLedger.document(Event.draft("approved", "payments@1.0.0", Optional.of(digest), "mia", genuine.time(),
                io.releasegate.json.Json.object().put("role", "domain-reviewer")));
        assertThatThrownBy(() -> controller.attest(commit(other, "mia"), document)).isInstanceOf(InputException.class)
                .hasMessageContaining("does not hold the event document shown");
    }

    /** An unsigned event commit holding {@code document}, as the agent's ledger builds it. */
    static byte[] commit(byte[] document, String author) throws java.io.IOException {
        org.eclipse.jgit.lib.ObjectInserter.Formatter ids = new org.eclipse.jgit.lib.ObjectInserter.Formatter();
        org.eclipse.jgit.lib.TreeFormatter tree = new org.eclipse.jgit.lib.TreeFormatter();
        tree.append("event.json", org.eclipse.jgit.lib.FileMode.REGULAR_FILE, ids.idFor(org.eclipse.jgit.lib.Constants.OBJ_BLOB, document));
        org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
        cb.setTreeId(ids.idFor(tree));
        org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent(author, author + "@release-gate");
        cb.setAuthor(who);
        cb.setCommitter(who);
        cb.setMessage("event");
        return cb.build();
    }

    @Test
    void theControllersPolicyIsTheCentralPolicyNeverAFileInTheWorkspace(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        ReleaseGateConfiguration.get().setDefaultPolicy(SampleWorkspace.ALWAYS_OPEN + "approvals:\n  count: 3\n");
        String committed = Files.readString(sample.dir.resolve(".release/policy.yaml"));
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def plan = releaseGate(command: 'plan', args: [branch: 'main'])
                  echo "approvals needed: ${plan.approvals.count}"
                }
                """, true));
        WorkflowRun run = r.buildAndAssertSuccess(job);
        r.assertLogContains("approvals needed: 3", run);
        assertThat(Files.readString(sample.dir.resolve(".release/policy.yaml"))).isEqualTo(committed);

        // a team policy may tighten the controller's, never loosen it
        Files.writeString(sample.dir.resolve(".release/policy.yaml"), committed.replace("approvals:\n", "approvals:\n  count: 2\n"));
        WorkflowRun loosened = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("policy.loosened", loosened);
    }
}
