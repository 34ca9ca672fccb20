package io.releasegate.steps;

import io.releasegate.approval.ApprovalStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#approveProduction} and {@link PipelineSteps#approvalStatus} return: the digest's approvals. */
public record ApprovalResult(ApprovalStatus status) implements StepResult {

    public ApprovalResult {
        Objects.requireNonNull(status, "status");
    }

    /** {@code satisfied, status} (the status described for people). */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("satisfied", status.satisfied());
        out.put("status", status.describe());
        return out;
    }
}
