package io.releasegate.steps;

import io.releasegate.record.ReleaseRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PipelineSteps#releaseRecord} projected: the record and its JSON (schema release-record v1), the digest each
 * environment was last promoted to, and the ledger it was read from at which head.
 */
public record ReleaseRecordResult(ReleaseRecord record, String json, Map<String, String> promoted, String ledger,
                                  Optional<String> head) implements StepResult {

    public ReleaseRecordResult {
        Objects.requireNonNull(record, "record");
        promoted = StepArgs.copy(promoted);
    }

    /** {@code json, digest (built), promoted: {environment: digest}, ledger, head} (head blank for an empty ledger). */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("json", json);
        out.put("digest", record.artifact().digest());
        out.put("promoted", new LinkedHashMap<String, Object>(promoted));
        out.put("ledger", ledger);
        out.put("head", head.orElse(""));
        return out;
    }
}
