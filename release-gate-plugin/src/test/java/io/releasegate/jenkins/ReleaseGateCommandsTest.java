package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.NAME;
import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.model.Result;
import io.releasegate.context.ReleaseContext;
import io.releasegate.ledger.Event;
import io.releasegate.signing.OpenPgpKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The releaseGate commands the golden pipeline calls, by the names it uses (plan, tag, release-record,
 * approval-status, …), in real Pipeline builds on the sample release.
 */
@WithJenkins
class ReleaseGateCommandsTest {

    @Test
    void everyCommandOfTheGoldenPipelineIsKnownByItsNameAndItsCamelCaseSpelling() {
        for (String name : new String[] {"plan", "gate", "sign", "provenance", "tag", "release-record", "library-check",
                "approval-status", "no-go", "verify-production", "evidence", "audit", "record-run", "report", "manifest-create",
                "manifest-show", "manifest-test"}) {
            assertThat(Command.forReleaseGate(name)).as(name).isPresent();
            assertThat(Command.forReleaseGate(name).orElseThrow().commandName()).isEqualTo(name);
            assertThat(Command.forReleaseGate(Command.forReleaseGate(name).orElseThrow().stepName())).as(name + " camelCase")
                    .contains(Command.forReleaseGate(name).orElseThrow());
        }
        assertThat(Command.forReleaseGate("approveProduction")).isEmpty();
        assertThat(Command.forReleaseGate("approve-production")).isEmpty();
        assertThat(Command.forReleaseGate("releaserecord")).isEmpty();
        assertThat(Command.releaseGateNames()).contains("plan", "tag", "release-record", "library-check", "approval-status",
                "record-run", "report");
        assertThat(Command.forReleaseGate("recordRun")).contains(Command.RECORD_RUN);
        assertThat(Command.forReleaseGate("record_run")).isEmpty();
        assertThat(Command.forReleaseGate("manifestTest")).contains(Command.MANIFEST_TEST);
    }

    @Test
    void recordRunRecordsTheRunsOutcomeAndReportWritesTheDeliveryReportFromIt(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def ok = releaseGate(command: 'record-run', args: [name: '%1$s', branch: 'main', result: 'SUCCESS', durationMs: 61000,
                      stages: [build: 20000, gates: 30000], commit: 'abc123', run: 'https://elsewhere.invalid/job/x/1/'])
                  echo "recorded ${ok.event}"
                  releaseGate(command: 'recordRun', args: [name: '%1$s', branch: 'main', result: 'FAILURE', durationMs: 12000])
                  releaseGate(command: 'record-run', args: [name: '%1$s', branch: 'feature/x', result: 'UNSTABLE', durationMs: 5])
                  def report = releaseGate(command: 'report', args: [out: 'delivery'])
                  echo "report ${report.from}..${report.to} deployments=${report.deployments} ciPassRateMain=${report.ciPassRateMain} services=${report.services}"
                }
                """.formatted(NAME), true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("[release-gate] recordRun pipeline:" + NAME + " as ", run);
        r.assertLogContains("recorded ", run);
        r.assertLogContains("deployments=0 ciPassRateMain=0.5 services=1", run);
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(sample.dir.resolve(CoreCallable.STATE_DIR)))) {
            java.util.List<Event> runs = ctx.ledger().events("pipeline:" + NAME);
            assertThat(runs).extracting(Event::type).containsOnly("pipeline-finished");
            assertThat(runs).extracting(e -> e.payload().path("branch").asText() + " " + e.payload().path("result").asText())
                    .containsExactly("main SUCCESS", "main FAILURE", "feature/x UNSTABLE");
            assertThat(runs.get(0).payload().path("stages").path("gates").asLong()).isEqualTo(30000);
            assertThat(runs.get(0).payload().path("commit").asText()).isEqualTo("abc123");
            // which build recorded it is what Jenkins says, not what the script claims
            assertThat(runs).allSatisfy(e -> assertThat(e.payload().path("run").asText()).isEqualTo(r.getURL() + run.getUrl()));
        }
        JsonNode report = new ObjectMapper().readTree(sample.dir.resolve("delivery/report.json").toFile());
        assertThat(report.at("/overall/ci/main/runs").asInt()).as(report.toString()).isEqualTo(2);
        assertThat(Files.readString(sample.dir.resolve("delivery/report.html"))).contains("<html").contains(NAME);
        ReleaseEvidenceAction evidence = run.getAction(ReleaseEvidenceAction.class);
        assertThat(evidence.entriesOf("pipeline")).extracting(ReleaseEvidenceAction.Entry::getSummary).hasSize(3)
                .first().asString().startsWith("pipeline:" + NAME + ": SUCCESS on main in 61000 ms (event ");
        assertThat(evidence.entriesOf("report")).singleElement().extracting(ReleaseEvidenceAction.Entry::getSummary)
                .asString().contains("0 production deployments of 1 services").contains("report.json").contains("report.html");
    }

    @Test
    void recordRunAndReportRefuseBadInputAndRecordNothing(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'record-run', args: [name: '" + NAME
                + "', branch: 'main', result: 'GREEN', durationMs: 1]) }", true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("pipeline result must be one of SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT, not 'GREEN'", run);
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'record-run', args: [name: '" + NAME
                + "', branch: 'main', result: 'SUCCESS', durationMs: -3]) }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("durationMs must be a number of milliseconds", run);
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'report', args: [month: '2026-13', out: 'delivery']) }",
                true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("report: month must be a month YYYY-MM, not '2026-13'", run);
        assertThat(sample.dir.resolve("delivery")).doesNotExist();
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(sample.dir.resolve(CoreCallable.STATE_DIR)))) {
            assertThat(ctx.ledger().events("pipeline:" + NAME)).isEmpty();
        }
    }

    @Test
    void planTagApprovalStatusAndReleaseRecordRunAsTheGoldenPipelineCallsThem(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        String[] tagKey = OpenPgpKeys.generateArmored("Release CI <ci@release-gate.invalid>", new Date());
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(),
                new FileCredentialsImpl(CredentialsScope.GLOBAL, "tag-key", "release tag key", "tag.asc",
                        SecretBytes.fromRawBytes(tagKey[0].getBytes(StandardCharsets.US_ASCII))));
        Path origin = sample.dir.resolveSibling("origin.git");
        git(sample.dir.getParent(), "init", "-q", "--bare", origin.toString());
        git(sample.dir, "remote", "add", "origin", origin.toString());
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def plan = releaseGate(command: 'plan', args: [branch: 'main', changeRequest: false])
                  echo "plan ${plan.kind} ${plan.version} toProduction=${plan.toProduction} approvals=${plan.approvals.count}"
                  def built = buildOnce(name: '%1$s', version: plan.version, artifacts: 'target/*.jar')
                  def tag = releaseGate(command: 'tag', args: [name: '%1$s', version: plan.version, branch: 'main', remote: 'origin'],
                      signingKey: 'tag-key')
                  echo "tag ${tag.tag} on ${tag.commit} ${tag.outcome} pushed=${tag.pushed}"
                  def again = releaseGate(command: 'tag', args: [name: '%1$s', version: plan.version, branch: 'main', remote: 'origin'],
                      signingKey: 'tag-key')
                  echo "again ${again.outcome}"
                  def status = releaseGate(command: 'approval-status', args: [name: '%1$s', version: plan.version, digest: built.digest])
                  echo "approvals satisfied=${status.satisfied}"
                  def record = releaseGate(command: 'release-record', args: [name: '%1$s', version: plan.version])
                  echo "record of ${record.digest}"
                }
                """.formatted(NAME), true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("plan main 0.1.0 toProduction=true approvals=2", run);
        r.assertLogContains("tag v0.1.0 on ", run);
        r.assertLogContains(" tagged pushed=true", run);
        r.assertLogContains("again unchanged", run);
        r.assertLogContains("approvals satisfied=false", run);
        r.assertLogContains("record of sha256:", run);
        // the armored key never reaches the log, and its owner-only file is gone
        r.assertLogNotContains(tagKey[0].lines().filter(l -> l.length() > 40).findFirst().orElseThrow(), run);
        try (var left = Files.list(sample.dir.resolveSibling(sample.dir.getFileName() + "@tmp"))) {
            assertThat(left).noneMatch(p -> p.getFileName().toString().startsWith("release-gate-key"));
        }
        assertThat(git(origin, "cat-file", "-p", "v0.1.0")).contains("-----BEGIN PGP SIGNATURE-----");
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("tag")).extracting(ReleaseEvidenceAction.Entry::getSummary)
                .anyMatch(s -> s.contains("v0.1.0") && s.contains("pushed"));
    }

    @Test
    void tagRefusesAMissingKeyOrAPemKeyAndNamesOnlyTheCredentialsId(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job).registerSigningKey();
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'tag', args: [" + RELEASE + "]) }", true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("tag needs an OpenPGP signing key", run);

        // the release key is a PEM key, not an OpenPGP one
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'tag', args: [" + RELEASE + "], signingKey: 'release-key') }",
                true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("credentials 'release-key' hold no armored OpenPGP secret key", run);
        r.assertLogNotContains(sample.privateKeyBody(), run);

        // the default tag key from the global configuration, with push credentials that do not exist
        String[] tagKey = OpenPgpKeys.generateArmored("Release CI <ci@release-gate.invalid>", new Date());
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(),
                new FileCredentialsImpl(CredentialsScope.GLOBAL, "tag-key", "release tag key", "tag.asc",
                        SecretBytes.fromRawBytes(tagKey[0].getBytes(StandardCharsets.US_ASCII))));
        ReleaseGateConfiguration.get().setTagSigningKeyCredentialsId("tag-key");
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'tag', args: [" + RELEASE + "], gitCredentials: 'nope') }",
                true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no username/password credentials 'nope' visible to this build (tag remote credentials)", run);
        // and a passphrase credentials id that does not exist
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'tag', args: [" + RELEASE + "], "
                + "passphraseCredentials: 'no-passphrase') }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no secret text credentials 'no-passphrase' visible to this build", run);
    }

    @Test
    void registryCredentialsOfAStepAreLookedUpForARegistryStoreOnly(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(),
                new UsernamePasswordCredentialsImpl(CredentialsScope.GLOBAL, "registry", "registry", "release-gate", "token-value"));
        // an embedded store needs no login: the credentials are not even looked up
        job.setDefinition(new CpsFlowDefinition("node { def b = buildOnce(" + RELEASE + ", artifacts: 'target/*.jar', "
                + "storeCredentials: 'missing'); echo \"built ${b.digest}\" }", true));
        r.assertLogContains("built sha256:", r.buildAndAssertSuccess(job));
        // a registry store: the step's credentials id is the one used (a missing one fails, naming the id only)
        job.setDefinition(new CpsFlowDefinition("node { buildOnce(" + RELEASE + ", artifacts: 'target/*.jar', "
                + "store: 'oci://127.0.0.1:1/payments', storeCredentials: 'missing') }", true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no username/password credentials 'missing' visible to this build (store credentials)", run);
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'gate', args: [" + RELEASE
                + ", store: 'oci://127.0.0.1:1/payments', storeCredentials: 'missing']) }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no username/password credentials 'missing' visible to this build (store credentials)", run);
        r.assertLogNotContains("token-value", run);
    }

    @Test
    void anEmergencyPromotionNeedsAnInputSubmitterAndARollbackAKnownGoodDigest(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  promoteDigest(%1$s, digest: built.digest, to: 'dev', emergency: [reason: 'outage', scope: 'payments',
                      rollbackPlan: 'promote 0.9.0', followUps: ['review']])
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("promoteDigest (emergency change): no input was submitted by a signed-in user", run);
        assertThat(sample.events()).extracting(Event::type).containsExactly("built");

        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  promoteDigest(%1$s, digest: built.digest, to: 'dev', incident: 'INC-42')
                }
                """.formatted(RELEASE), true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("promote.rollback-known-good", run);
    }

    @Test
    void libraryCheckAndPlanNeedNoStoreAndRefuseWithTheCoreRule(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        // a global store is configured: plan and library-check must not be handed it
        ReleaseGateConfiguration.get().setStore("oci://127.0.0.1:1/payments");
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'plan', args: [branch: 'wip/nothing']) }", true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("[release-gate] plan: ", run);
        r.assertLogContains("branch.name", run);
        // no library loaded: whatever version the script claims, the check sees none
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'library-check', args: [libraryName: 'golden', "
                + "libraryVersion: 'v1.4.0']) }", true));
        run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("this build loaded no library 'golden'", run);
        r.assertLogContains("promote.library-unpinned", run);
    }

    @Test
    void theTagSigningDefaultsSurviveTheSystemPage(JenkinsRule r) throws Exception {
        ReleaseGateConfiguration.get().setTagSigningKeyCredentialsId("release-tag-key");
        ReleaseGateConfiguration.get().setTagSigningPassphraseCredentialsId("release-tag-passphrase");
        r.configRoundtrip();
        assertThat(ReleaseGateConfiguration.get().getTagSigningKeyCredentialsId()).isEqualTo("release-tag-key");
        assertThat(new ReleaseGateConfiguration().getTagSigningPassphraseCredentialsId()).isEqualTo("release-tag-passphrase");
    }

    static String git(Path dir, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("git", "-c", "user.name=Release Test",
                "-c", "user.email=test@example.com"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(cmd + ": " + out);
        }
        return out;
    }
}
