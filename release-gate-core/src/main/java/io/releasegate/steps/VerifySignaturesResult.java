package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PipelineSteps#verifySignatures} recorded once the release's signatures and its provenance verified (a
 * failure is a refusal, never a result): the two events.
 */
public record VerifySignaturesResult(String event, String provenanceEvent) implements StepResult {

    /** {@code verified: true, event, provenanceEvent}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verified", true);
        out.put("event", event);
        out.put("provenanceEvent", provenanceEvent);
        return out;
    }
}
