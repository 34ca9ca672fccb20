package io.releasegate.steps;

import io.releasegate.verify.VerifyProduction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#verifyProduction} found: the verification, with each check and problem. */
public record VerifyProductionResult(VerifyProduction.Result verification) implements StepResult {

    public VerifyProductionResult {
        Objects.requireNonNull(verification, "verification");
    }

    /** {@code ok, problems}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", verification.ok());
        out.put("problems", new ArrayList<>(verification.problems()));
        return out;
    }
}
