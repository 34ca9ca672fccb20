package io.releasegate.steps;

import io.releasegate.promotion.PromoteDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PipelineSteps#promoteDigest} did: the promotion, and the {@code emergency-change} event it recorded with
 * it, if any; for a release manifest, the set's own promotion and each member's, in the set's order.
 */
public record PromoteDigestResult(PromoteDigest.Result promotion, Optional<String> emergency, List<PromoteDigest.Result> members)
        implements StepResult {

    public PromoteDigestResult {
        Objects.requireNonNull(promotion, "promotion");
        Objects.requireNonNull(emergency, "emergency");
        members = List.copyOf(members);
    }

    /** A single release's promotion. */
    public PromoteDigestResult(PromoteDigest.Result promotion, Optional<String> emergency) {
        this(promotion, emergency, List.of());
    }

    /** {@code reference, environment, rollback, alreadyThere, emergency?}; for a set {@code members: [{reference, digest}]} too. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reference", promotion.reference());
        out.put("environment", promotion.environment());
        out.put("rollback", promotion.rollback());
        out.put("alreadyThere", promotion.alreadyThere());
        emergency.ifPresent(e -> out.put("emergency", e));
        if (!members.isEmpty()) {
            List<Map<String, Object>> ms = new ArrayList<>();
            for (PromoteDigest.Result m : members) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("reference", m.reference());
                x.put("digest", m.digest().toString());
                ms.add(x);
            }
            out.put("members", ms);
        }
        return out;
    }
}
