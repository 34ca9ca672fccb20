package io.releasegate.steps;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#verifyProduction}.
 *
 * @param checks  name -> shell command, run in the workspace in this order
 * @param timeout for each check ({@code timeoutSeconds}, default 300)
 */
public record VerifyProductionArgs(String name, String version, String store, String ledger, Map<String, String> checks,
                                   Duration timeout) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "checks", "timeoutSeconds");

    public VerifyProductionArgs {
        checks = StepArgs.copy(checks);
    }

    public static VerifyProductionArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("verifyProduction", map, KEYS);
        return new VerifyProductionArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                a.map("checks"), Duration.ofSeconds(Long.parseLong(a.text("timeoutSeconds", "300"))));
    }
}
