package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/** The arguments of {@link PipelineSteps#audit}: the release to audit, and where its store and ledger are. */
public record AuditArgs(String name, String version, String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger");

    public static AuditArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("audit", map, KEYS);
        return new AuditArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""));
    }
}
