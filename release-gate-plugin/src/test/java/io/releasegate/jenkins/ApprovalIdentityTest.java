package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.Result;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Map;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.support.steps.input.InputAction;
import org.jenkinsci.plugins.workflow.support.steps.input.InputStepExecution;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The approver of approveProduction is who submitted the input, as pipeline-input-step recorded it;
 * a Jenkinsfile cannot name one, and one submission counts once.
 */
@WithJenkins
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)  // a build waiting for an input never ends
class ApprovalIdentityTest {

    /** The golden pipeline's approval loop, reduced: ask, then record who answered. */
    static final String APPROVAL_LOOP = """
            def built
            node { built = buildOnce(%1$s, artifacts: 'target/*.jar') }
            def satisfied = false
            while (!satisfied) {
              def answer = input(message: 'Release?', parameters: [string(name: 'role', defaultValue: 'maintainer'),
                  string(name: 'rationale', defaultValue: '')])
              node {
                try {
                  def approval = approveProduction(%1$s, digest: built.digest, role: answer.role, rationale: answer.rationale)
                  satisfied = approval.satisfied
                  echo "status: ${approval.status}"
                } catch (refused) {
                  echo "refused and not counted: ${refused.message}"
                }
              }
            }
            """.formatted(RELEASE);

    @Test
    void theApproverIsWhoeverSubmittedTheInput(JenkinsRule r) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy().grant(hudson.model.Item.READ, hudson.model.Item.BUILD,
                hudson.model.Item.CANCEL).everywhere().to("alice", "mia", "dora").grant(jenkins.model.Jenkins.READ)
                .everywhere().to("alice", "mia", "dora"));
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition(APPROVAL_LOOP, true));

        WorkflowRun run = job.scheduleBuild2(0).waitForStart();
        submit(run, "alice", "maintainer", "my own change");       // an author: refused, not counted
        submit(run, "mia", "maintainer", "tests and gates green");
        submit(run, "dora", "domain-reviewer", "payments behaviour reviewed");
        r.assertBuildStatusSuccess(r.waitForCompletion(run));

        r.assertLogContains("refused and not counted", run);
        List<Event> approved = sample.events().stream().filter(e -> e.type().equals("approved")).toList();
        assertThat(approved).extracting(Event::actor).containsExactly("mia", "dora");
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("approval"))
                .extracting(ReleaseEvidenceAction.Entry::getActor).containsExactly("alice", "mia", "dora");
    }

    @Test
    void anApproverArgumentIsRefused(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  approveProduction(%1$s, digest: built.digest, role: 'maintainer', rationale: 'ok', approver: 'mia')
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("approveProduction does not take [approver]", run);
        assertThat(sample.events()).extracting(Event::type).doesNotContain("approved");
    }

    @Test
    void noInputNoApproval(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  def built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  approveProduction(%1$s, digest: built.digest, role: 'maintainer', rationale: 'ok')
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("no input was submitted by a signed-in user since the build started", run);
        assertThat(sample.events()).extracting(Event::type).doesNotContain("approved");
    }

    @Test
    void theEmergencyApproverIsWhoeverSubmittedTheEmergencyInput(JenkinsRule r) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy().grant(hudson.model.Item.READ, hudson.model.Item.BUILD,
                hudson.model.Item.CANCEL).everywhere().to("mia").grant(jenkins.model.Jenkins.READ).everywhere().to("mia"));
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        // dev also needs the change window here (a team may require more, never less), and the window is closed today
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        java.nio.file.Files.writeString(sample.dir.resolve(".release/policy.yaml"), """
                environments:
                  - name: dev
                    requires: [built, window]
                  - name: staging
                    requires: [built, signatures, sbom, provenance, gates]
                  - name: production
                    requires: [built, signatures, sbom, provenance, gates, approvals, window]
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                windows:
                  timezone: UTC
                  weekly:
                    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]
                      from: "00:00"
                      to: "23:59:59.999999999"
                  blackouts: [%s]
                """.formatted(today));
        job.setDefinition(new CpsFlowDefinition("""
                def built
                node {
                  built = buildOnce(%1$s, artifacts: 'target/*.jar')
                  try {
                    promoteDigest(%1$s, digest: built.digest, to: 'dev')
                  } catch (refused) {
                    echo "without an emergency: ${refused.message}"
                  }
                }
                input(message: 'Emergency change?', ok: 'Approve emergency change')
                node {
                  def p = promoteDigest(%1$s, digest: built.digest, to: 'dev', emergency: [reason: 'card payments fail (INC-7)',
                      scope: 'payments service', rollbackPlan: 'promote 0.9.0 again', followUps: ['post-incident review PAY-200']])
                  echo "emergency change ${p.emergency}"
                }
                """.formatted(RELEASE), true));

        WorkflowRun run = job.scheduleBuild2(0).waitForStart();
        submit(run, "mia", null, null);
        r.assertBuildStatusSuccess(r.waitForCompletion(run));

        r.assertLogContains("without an emergency: ", run);
        r.assertLogContains("window.blackout", run);
        r.assertLogContains("emergency change approved by mia", run);
        Event emergency = sample.events().stream().filter(e -> e.type().equals("emergency-change")).findFirst().orElseThrow();
        assertThat(emergency.text("approver")).contains("mia");
        assertThat(emergency.text("rollbackPlan")).contains("promote 0.9.0 again");
        r.assertLogContains("emergency change " + emergency.id(), run);
        assertThat(sample.events()).extracting(Event::type)
                .containsExactly("built", "emergency-approved", "emergency-change", "promoted");
        assertThat(sample.events().get(1).actor()).isEqualTo("mia");
    }

    /** Waits for the pending input and submits it as {@code user}, as the input page's Proceed button does. */
    @Test
    void aNoGoIsTheDecisionOfWhoeverRejectedTheInput(JenkinsRule r) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy().grant(hudson.model.Item.READ, hudson.model.Item.BUILD,
                hudson.model.Item.CANCEL).everywhere().to("mia").grant(jenkins.model.Jenkins.READ).everywhere().to("mia"));
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("""
                def built
                node { built = buildOnce(%1$s, artifacts: 'target/*.jar') }
                try {
                  input(message: 'Release?')
                } catch (aborted) {
                  node { releaseGate(command: 'no-go', args: [%1$s, digest: built.digest, reason: 'approval aborted']) }
                  throw aborted
                }
                """.formatted(RELEASE), true));
        WorkflowRun run = job.scheduleBuild2(0).waitForStart();
        InputStepExecution pending = pendingInput(run, "mia");
        try (ACLContext ignored = ACL.as(User.getById("mia", true))) {
            pending.doAbort();
        }
        r.assertBuildStatus(Result.ABORTED, r.waitForCompletion(run));
        r.assertLogContains("noGo payments@1.0.0 as mia", run);
        Event decision = sample.events().stream().filter(e -> e.type().equals("decision")).findFirst().orElseThrow();
        assertThat(decision.actor()).isEqualTo("mia");
        assertThat(decision.text("decision")).contains("no-go");
    }

    /** The input the build is waiting at, once it waits (a minute at most). */
    static InputStepExecution pendingInput(WorkflowRun run, String user) throws Exception {
        InputStepExecution pending = null;
        for (int i = 0; i < 600 && pending == null; i++) {
            InputAction action = run.getAction(InputAction.class);
            if (action != null) {
                pending = action.getExecutions().stream().filter(e -> !e.isSettled()).findFirst().orElse(null);
            }
            if (pending == null) {
                Thread.sleep(100);
            }
        }
        assertThat(pending).as("an input waiting for " + user).isNotNull();
        return pending;
    }

    static void submit(WorkflowRun run, String user, String role, String rationale) throws Exception {
        InputStepExecution pending = pendingInput(run, user);
        try (ACLContext ignored = ACL.as(User.getById(user, true))) {
            if (role == null) {
                pending.proceed((Map<String, Object>) null);   // an input without parameters
            } else {
                pending.proceed(Map.of("role", role, "rationale", rationale));
            }
        }
    }
}
