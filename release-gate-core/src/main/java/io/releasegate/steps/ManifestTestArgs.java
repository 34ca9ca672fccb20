package io.releasegate.steps;

import io.releasegate.digest.Digest;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#manifestTest}.
 *
 * @param digest the set's digest: the test is bound to exactly this set
 * @param junit  the integration tests' JUnit XML report in the workspace
 */
public record ManifestTestArgs(String name, String version, String store, String ledger, Digest digest, String junit) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "digest", "junit");

    public static ManifestTestArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("manifestTest", map, KEYS);
        return new ManifestTestArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                Digest.parse(a.required("digest")), a.required("junit"));
    }
}
