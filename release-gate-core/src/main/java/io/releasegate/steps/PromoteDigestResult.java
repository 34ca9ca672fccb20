package io.releasegate.steps;

import io.releasegate.promotion.PromoteDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PipelineSteps#promoteDigest} did: the promotion, and the {@code emergency-change} event it recorded with
 * it, if any.
 */
public record PromoteDigestResult(PromoteDigest.Result promotion, Optional<String> emergency) implements StepResult {

    public PromoteDigestResult {
        Objects.requireNonNull(promotion, "promotion");
    }

    /** {@code reference, environment, rollback, alreadyThere, emergency?}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reference", promotion.reference());
        out.put("environment", promotion.environment());
        out.put("rollback", promotion.rollback());
        out.put("alreadyThere", promotion.alreadyThere());
        emergency.ifPresent(e -> out.put("emergency", e));
        return out;
    }
}
