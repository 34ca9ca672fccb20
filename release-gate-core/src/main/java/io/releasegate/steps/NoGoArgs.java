package io.releasegate.steps;

import io.releasegate.digest.Digest;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#noGo}.
 *
 * @param reason      default {@code aborted}
 * @param environment default production
 */
public record NoGoArgs(String name, String version, String store, String ledger, Digest digest, String reason, String environment) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "digest", "reason", "environment");

    public static NoGoArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("noGo", map, KEYS);
        return new NoGoArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                Digest.parse(a.required("digest")), a.text("reason", "aborted"), a.text("environment", "production"));
    }
}
