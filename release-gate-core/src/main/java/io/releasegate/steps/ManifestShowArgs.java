package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/** The arguments of {@link PipelineSteps#manifestShow}: the set {@code name@version}. */
public record ManifestShowArgs(String name, String version, String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger");

    public static ManifestShowArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("manifestShow", map, KEYS);
        return new ManifestShowArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""));
    }
}
