package io.releasegate.steps;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#gate}.
 *
 * @param sarif         SAST reports (SARIF 2.1.0): paths or globs relative to the workspace
 * @param vulns         dependency scan reports
 * @param sbom          SBOMs to check licenses in
 * @param junit         test reports
 * @param notApplicable gate -> why it does not apply
 * @param branch        default {@code main}
 * @param environment   default production
 */
public record GateArgs(String name, String version, String store, String ledger, List<String> sarif, List<String> vulns,
                       List<String> sbom, List<String> junit, Map<String, String> notApplicable, String branch, String environment) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "sarif", "vulns", "sbom", "junit",
            "notApplicable", "branch", "environment");

    public GateArgs {
        sarif = List.copyOf(sarif);
        vulns = List.copyOf(vulns);
        sbom = List.copyOf(sbom);
        junit = List.copyOf(junit);
        notApplicable = StepArgs.copy(notApplicable);
    }

    /** From a pipeline's map: each report a path or glob, a comma-separated string of them, or a list. */
    public static GateArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("gate", map, KEYS);
        return new GateArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""), a.paths("sarif"),
                a.paths("vulns"), a.paths("sbom"), a.paths("junit"), a.map("notApplicable"), a.text("branch", "main"),
                a.text("environment", "production"));
    }
}
