package io.releasegate.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.releasegate.ledger.EventType;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.structs.describable.CustomDescribableModel;
import org.jenkinsci.plugins.structs.describable.UninstantiatedDescribable;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code approveProduction(name: 'payments', version: '1.4.0', digest: d, role: 'maintainer', rationale: '…')}
 * right after an {@code input} step: records one production approval. The approver is the user who
 * submitted that input, as pipeline-input-step recorded it on the build; there is no argument for it,
 * and one that names a person is refused. Returns {@code satisfied, status}.
 */
public class ApproveProductionStep extends ReleaseStep {

    /** Arguments that would name the approver: refused, whatever their value. */
    static final Set<String> IDENTITY_ARGUMENTS = Set.of("approver", "approvedBy", "submitter", "user", "userId", "actor");

    private final String name;
    private final String version;
    private final String digest;
    private String role = "";
    private String rationale = "";
    private String environment = "";

    @DataBoundConstructor
    public ApproveProductionStep(String name, String version, String digest) {
        this.name = clean(name);
        this.version = clean(version);
        this.digest = clean(digest);
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

    public String getRole() {
        return role;
    }

    @DataBoundSetter
    public void setRole(String role) {
        this.role = clean(role);
    }

    public String getRationale() {
        return rationale;
    }

    @DataBoundSetter
    public void setRationale(String rationale) {
        this.rationale = rationale == null ? "" : rationale.strip();
    }

    public String getEnvironment() {
        return environment;
    }

    @DataBoundSetter
    public void setEnvironment(String environment) {
        this.environment = clean(environment);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;

        /** The step as the script gave it (a synchronous execution does not survive a restart: not persisted). */
        private final transient ApproveProductionStep step;

        Execution(ApproveProductionStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            CoreRun call = step.core(getContext(), Command.APPROVE_PRODUCTION);
            Run<?, ?> run = call.run();
            ReleaseEvidenceAction evidence = ReleaseEvidenceAction.of(run);
            String approver = evidence.takeApprover(run);
            String role = step.role;
            call.listener().getLogger().println("[release-gate] approveProduction " + step.name + "@" + step.version + " by "
                    + approver + (role.isEmpty() ? "" : " as " + role));
            Map<String, Object> result;
            try {
                // what the controller vouches for: this approver's approval of this digest, and the go decision it may complete
                result = call.arg("name", step.name).arg("version", step.version).arg("digest", step.digest).arg("role", role)
                        .arg("rationale", step.rationale).arg("environment", step.environment)
                        .attests(EventType.APPROVED.wire(), approver, step.name, step.version, step.digest)
                        .attests(EventType.DECISION.wire(), approver, step.name, step.version, step.digest)
                        .actor(approver).call();
            } catch (AbortException e) {
                evidence.record("approval", "refused, not counted: " + e.getMessage(), approver);
                throw e;
            }
            evidence.record("approval", (role.isEmpty() ? "approved" : role + " approved") + " " + step.digest + ": "
                    + result.get("status"), approver);
            return result;
        }
    }

    @Extension
    @Symbol("approveProduction")
    public static final class DescriptorImpl extends StepDescriptor implements CustomDescribableModel {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
        }

        @Override
        public String getFunctionName() {
            return "approveProduction";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Release Gate: approve a release for production (approver = who submitted the input)";
        }

        /** Refuses any argument naming the approver, rather than ignoring it with a warning. */
        @NonNull
        @Override
        public Map<String, Object> customInstantiate(@NonNull Map<String, Object> arguments) {
            Set<String> named = new TreeSet<>(arguments.keySet());
            named.retainAll(IDENTITY_ARGUMENTS);
            if (!named.isEmpty()) {
                throw new IllegalArgumentException("approveProduction does not take " + named + ": the approver is the user "
                        + "who submitted the input step, as Jenkins recorded it");
            }
            return arguments;
        }

        /**
         * The arguments in name order, as for every other step: structs hands a custom model a copy of them in a hash
         * map, which would otherwise decide the order the snippet generator writes them in.
         */
        @NonNull
        @Override
        public UninstantiatedDescribable customUninstantiate(@NonNull UninstantiatedDescribable ud) {
            return ud.withArguments(new TreeMap<>(ud.getArguments()));
        }
    }
}
