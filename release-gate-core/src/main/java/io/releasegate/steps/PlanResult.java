package io.releasegate.steps;

import io.releasegate.policy.Policy;
import io.releasegate.version.PipelinePlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link PipelineSteps#plan} decided: the plan of the run, whether it is an emergency change, and the approvals the
 * policy asks for.
 */
public record PlanResult(PipelinePlan.Result plan, boolean emergency, Policy.Approvals approvals) implements StepResult {

    public PlanResult {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(approvals, "approvals");
    }

    /** {@code branch, kind, toProduction, version, release, reason, emergency, approvals: {count, roles}}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("branch", plan.branch());
        out.put("kind", plan.kind());
        out.put("toProduction", plan.toProduction());
        out.put("version", plan.version());
        out.put("release", plan.release());
        out.put("reason", plan.reason());
        out.put("emergency", emergency);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("count", approvals.count());
        a.put("roles", new ArrayList<>(approvals.roles()));
        out.put("approvals", a);
        return out;
    }
}
