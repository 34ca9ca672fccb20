package io.releasegate.steps;

import io.releasegate.digest.Digest;
import io.releasegate.sbom.SbomFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link PipelineSteps#generateSbom} stored: one document per format, with the number of components and the
 * warnings of the analysis.
 */
public record GenerateSbomResult(int components, List<String> warnings, List<Document> documents) implements StepResult {

    /** One stored SBOM: its format, its digest, the OCI referrer that holds it and the ledger event that records it. */
    public record Document(SbomFormat format, Digest digest, Digest referrer, String event) {
    }

    public GenerateSbomResult {
        warnings = List.copyOf(warnings);
        documents = List.copyOf(documents);
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("an SBOM result has at least one document");
        }
    }

    /** The first document's digest (CycloneDX when written). */
    public Digest digest() {
        return documents.get(0).digest();
    }

    /** {@code digest, components, warnings, documents: [{format, specVersion, digest, referrer, event}]}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("digest", digest().toString());
        out.put("components", components);
        out.put("warnings", new ArrayList<>(warnings));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Document d : documents) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", d.format().id());
            m.put("specVersion", d.format().specVersion());
            m.put("digest", d.digest().toString());
            m.put("referrer", d.referrer().toString());
            m.put("event", d.event());
            list.add(m);
        }
        out.put("documents", list);
        return out;
    }
}
