package io.releasegate.steps;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#releaseRecord}.
 *
 * @param out the workspace file the record is written to, if given
 */
public record ReleaseRecordArgs(String name, String version, String store, String ledger, Optional<String> out) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "out");

    public static ReleaseRecordArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("releaseRecord", map, KEYS);
        return new ReleaseRecordArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                a.optional("out"));
    }
}
