package io.releasegate.steps;

import io.releasegate.digest.Digest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#promoteDigest}.
 *
 * @param to        the environment the digest enters
 * @param incident  a rollback to this previously promoted digest, for this incident
 * @param emergency an emergency change that stands in for a closed change window
 */
public record PromoteDigestArgs(String name, String version, String store, String ledger, Digest digest, String to,
                                Optional<String> incident, Optional<EmergencyArgs> emergency) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "digest", "to", "incident", "emergency");

    public static PromoteDigestArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("promoteDigest", map, KEYS);
        Optional<EmergencyArgs> emergency = a.value("emergency").map(EmergencyArgs::of);
        return new PromoteDigestArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                Digest.parse(a.required("digest")), a.required("to"), a.optional("incident"), emergency);
    }
}
