package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#provenance}: the release, and how it was built (each {@code unknown} when not
 * given, but {@code jenkinsfile}: {@code Jenkinsfile}, and {@code libraryName}: {@code golden}).
 */
public record ProvenanceArgs(String name, String version, String store, String ledger, String repository, String ref,
                             String jenkinsfile, String libraryName, String libraryVersion, String builderId, String invocationId) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "repository", "ref", "jenkinsfile",
            "libraryName", "libraryVersion", "builderId", "invocationId");

    public static ProvenanceArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("provenance", map, KEYS);
        return new ProvenanceArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                a.text("repository", "unknown"), a.text("ref", "unknown"), a.text("jenkinsfile", "Jenkinsfile"),
                a.text("libraryName", "golden"), a.text("libraryVersion", "unknown"), a.text("builderId", "unknown"),
                a.text("invocationId", "unknown"));
    }
}
