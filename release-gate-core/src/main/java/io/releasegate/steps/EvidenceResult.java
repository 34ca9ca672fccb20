package io.releasegate.steps;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link PipelineSteps#evidence} exported: the bundle's workspace path, its SHA-256 and size, how many files it
 * holds, and the required evidence it lacks (each {@code evidence: reason}; none for a complete release).
 */
public record EvidenceResult(String release, String bundle, String sha256, long size, int files, List<String> missing)
        implements StepResult {

    public EvidenceResult {
        missing = List.copyOf(missing);
    }

    static EvidenceResult of(String bundle, String sha256, long size, JsonNode index) {
        List<String> missing = new ArrayList<>();
        index.path("missing").forEach(m -> missing.add(m.path("evidence").asText() + ": " + m.path("reason").asText()));
        return new EvidenceResult(index.path("release").asText(), bundle, sha256, size, index.path("files").size(), missing);
    }

    /** {@code release, bundle, sha256, size, files, missing: [..], complete}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("release", release);
        out.put("bundle", bundle);
        out.put("sha256", sha256);
        out.put("size", size);
        out.put("files", files);
        out.put("missing", missing);
        out.put("complete", missing.isEmpty());
        return out;
    }
}
