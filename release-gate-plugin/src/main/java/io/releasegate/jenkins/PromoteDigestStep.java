package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.releasegate.ledger.EventType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.structs.describable.DescribableModel;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code promoteDigest(name: 'payments', version: '1.4.0', digest: d, to: 'staging')}: moves that exact
 * digest into the environment (never a rebuild), when the policy's conditions for it hold. With
 * {@code incident: 'INC-42'} it is a rollback to a digest that ran there before. With
 * {@code emergency: [reason: …, scope: …, rollbackPlan: …, followUps: […]]} it may go outside the change
 * windows as an emergency change, whose approver is the user who submitted the latest {@code input} of the
 * build (as for approvals: never an argument).
 */
public class PromoteDigestStep extends ReleaseStep {

    private final String name;
    private final String version;
    private final String digest;
    private final String to;
    private String incident = "";
    private Map<String, Object> emergency = new LinkedHashMap<>();

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

    public String getIncident() {
        return incident;
    }

    /** A rollback to this previously promoted digest, for this incident reference. */
    @DataBoundSetter
    public void setIncident(String incident) {
        this.incident = clean(incident);
    }

    /** The emergency change record (not a form field: a map, given in the Pipeline script). */
    public Map<String, Object> getEmergency() {
        return emergency;
    }

    void emergency(Map<?, ?> values) {
        this.emergency = CoreCallable.plain(values);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient PromoteDigestStep step;

        Execution(PromoteDigestStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = step.core(getContext(), Command.PROMOTE_DIGEST);
            Run<?, ?> run = call.run();
            String actor = Identities.releaser(run);
            ReleaseEvidenceAction evidence = ReleaseEvidenceAction.of(run);
            Map<String, Object> emergency = step.emergency;
            String approver = "";
            if (!emergency.isEmpty()) {
                // the emergency change's approver: whoever submitted the input that asked for it, as Jenkins recorded it
                approver = evidence.takeApprover(run, "promoteDigest (emergency change)");
                call.listener().getLogger().println("[release-gate] promoteDigest: emergency change approved by " + approver);
                call.attests(EventType.EMERGENCY_APPROVED.wire(), approver, step.name, step.version, step.digest);
            }
            String incident = step.incident;
            Map<String, Object> result = call.arg("name", step.name).arg("version", step.version).arg("digest", step.digest)
                    .arg("to", step.to).arg("incident", incident).arg("emergency", emergency.isEmpty() ? null : new HashMap<>(emergency))
                    .actor(actor).emergencyApprover(approver).call();
            call.listener().getLogger().println("[release-gate] promoted " + step.digest + " to " + result.get("environment")
                    + " as " + result.get("reference") + (incident.isEmpty() ? "" : " (rollback for " + incident + ")")
                    + (result.get("emergency") == null ? "" : " (emergency change " + result.get("emergency") + ")"));
            evidence.record("promotion", step.digest + " to " + result.get("environment") + " (" + result.get("reference") + ")"
                    + (incident.isEmpty() ? "" : ", rollback for " + incident)
                    + (result.get("emergency") == null ? "" : ", emergency change approved by " + approver), actor);
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

        /**
         * {@code emergency} is a map, which data binding does not support: take it out, bind the rest as usual.
         * An approver inside it is refused by the core (the approver is who submitted the input).
         */
        @Override
        @SuppressWarnings("deprecation")
        public org.jenkinsci.plugins.workflow.steps.Step newInstance(Map<String, Object> arguments) throws Exception {
            Map<String, Object> rest = new HashMap<>(arguments);
            Object values = rest.remove("emergency");
            PromoteDigestStep step = DescribableModel.of(PromoteDigestStep.class).instantiate(rest, null);
            if (values instanceof Map<?, ?> m) {
                step.emergency(m);
            } else if (values != null) {
                throw new IllegalArgumentException("promoteDigest: emergency must be a map, e.g. emergency: [reason: '…', "
                        + "scope: '…', rollbackPlan: '…', followUps: ['…']]");
            }
            return step;
        }
    }
}
