package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#evidence}.
 *
 * @param out the workspace file the evidence bundle is written to (default {@code evidence/NAME-VERSION.evidence.tar})
 */
public record EvidenceArgs(String name, String version, String store, String ledger, String out) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "out");

    public static EvidenceArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("evidence", map, KEYS);
        String name = a.required("name");
        String version = a.required("version");
        return new EvidenceArgs(name, version, a.text("store", ""), a.text("ledger", ""),
                a.nonBlank("out").orElse("evidence/" + name + "-" + version + ".evidence.tar"));
    }
}
