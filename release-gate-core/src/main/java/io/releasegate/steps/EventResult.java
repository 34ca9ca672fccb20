package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link PipelineSteps#sign} and {@link PipelineSteps#noGo} return: the ledger event they recorded. */
public record EventResult(String event) implements StepResult {

    /** {@code event}. */
    @Override
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(Map.of("event", event));
    }
}
