package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link PipelineSteps#provenance} stored and recorded: an attestation of this predicate type (SLSA Provenance v1). */
public record ProvenanceResult(String predicateType) implements StepResult {

    /** {@code predicateType}. */
    @Override
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(Map.of("predicateType", predicateType));
    }
}
