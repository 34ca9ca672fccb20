package io.releasegate.steps;

import io.releasegate.error.InputException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#buildOnce}.
 *
 * @param name      the artifact's name
 * @param version   its version (SemVer 2.0)
 * @param artifacts paths or globs relative to the workspace
 * @param store     where it is published; blank: the embedded store
 * @param ledger    where it is recorded; blank: the embedded ledger
 * @param targets   the targets the release must ship (subject names or globs): recorded, and while one matches no
 *                  subject the release cannot go to production
 */
public record BuildOnceArgs(String name, String version, List<String> artifacts, String store, String ledger,
                            List<String> targets) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "artifacts", "store", "ledger", "targets");

    public BuildOnceArgs {
        artifacts = List.copyOf(artifacts);
        targets = List.copyOf(targets);
    }

    public BuildOnceArgs(String name, String version, List<String> artifacts, String store, String ledger) {
        this(name, version, artifacts, store, ledger, List.of());
    }

    /**
     * From a pipeline's map: {@code artifacts} is a path or glob, a comma-separated string of them, or a list;
     * {@code targets} likewise.
     */
    public static BuildOnceArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("buildOnce", map, KEYS);
        Object artifacts = a.value("artifacts").orElseThrow(() ->
                new InputException("argument 'artifacts' is required (a path or glob, or a list of them)"));
        return new BuildOnceArgs(a.required("name"), a.required("version"), StepArgs.paths(artifacts), a.text("store", ""),
                a.text("ledger", ""), a.value("targets").map(StepArgs::paths).orElse(List.of()));
    }
}
