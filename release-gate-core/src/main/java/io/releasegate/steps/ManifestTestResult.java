package io.releasegate.steps;

import io.releasegate.manifest.RecordIntegration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#manifestTest} recorded: a passing integration test of exactly the set. */
public record ManifestTestResult(RecordIntegration.Result recorded) implements StepResult {

    public ManifestTestResult {
        Objects.requireNonNull(recorded, "recorded");
    }

    /** {@code pass, tests, failures, summary, event}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pass", recorded.pass());
        out.put("tests", recorded.tests());
        out.put("failures", recorded.failures());
        out.put("summary", recorded.summary());
        out.put("event", recorded.eventId());
        return out;
    }
}
