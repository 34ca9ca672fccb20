package io.releasegate.steps;

import io.releasegate.digest.Digest;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#approveProduction}: what is approved and why; never who approves.
 *
 * @param role        the role the approver approves in (blank: none given)
 * @param rationale   why (blank: none given, which the approval rules refuse)
 * @param environment default production
 */
public record ApproveProductionArgs(String name, String version, String store, String ledger, Digest digest, String role,
                                    String rationale, String environment) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "digest", "role", "rationale", "environment");

    public static ApproveProductionArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("approveProduction", map, KEYS);
        return new ApproveProductionArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                Digest.parse(a.required("digest")), a.text("role", ""), a.text("rationale", ""), a.text("environment", "production"));
    }
}
