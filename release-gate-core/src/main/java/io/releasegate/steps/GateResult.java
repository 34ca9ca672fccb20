package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link PipelineSteps#gate} decided when the gates pass (a failing gate is a refusal, never a result). */
public record GateResult(String summary) implements StepResult {

    /** {@code pass: true, summary}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pass", true);
        out.put("summary", summary);
        return out;
    }
}
