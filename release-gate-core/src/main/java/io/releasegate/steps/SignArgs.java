package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/** The arguments of {@link PipelineSteps#sign} and {@link PipelineSteps#signWithCertificate}: the release to sign. */
public record SignArgs(String name, String version, String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger");

    public static SignArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("sign", map, KEYS);
        return new SignArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""));
    }
}
