package io.releasegate.steps;

import io.releasegate.digest.Digest;
import java.util.Map;
import java.util.Set;

/** The arguments of {@link PipelineSteps#approvalStatus}: the digest of the release and the environment (default production). */
public record ApprovalStatusArgs(String name, String version, String store, String ledger, Digest digest, String environment) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "digest", "environment");

    public static ApprovalStatusArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("approvalStatus", map, KEYS);
        return new ApprovalStatusArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                Digest.parse(a.required("digest")), a.text("environment", "production"));
    }
}
