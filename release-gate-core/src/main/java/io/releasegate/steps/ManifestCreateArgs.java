package io.releasegate.steps;

import io.releasegate.error.InputException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#manifestCreate}: the set {@code name}, and either the committed set file
 * {@code file} (default {@value io.releasegate.manifest.SetFile#DEFAULT}: its version and members) or the
 * {@code version} and {@code members} themselves.
 *
 * @param file    the workspace's set file, when the members are not given
 * @param version the set's version, with {@code members}
 * @param members the members, {@code NAME@VERSION} each, in promotion order; empty: read from {@code file}
 */
public record ManifestCreateArgs(String name, String store, String ledger, String file, Optional<String> version,
                                 List<String> members) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "store", "ledger", "file", "version", "members");

    public ManifestCreateArgs {
        members = List.copyOf(members);
    }

    public static ManifestCreateArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("manifestCreate", map, KEYS);
        List<String> members = a.paths("members");
        Optional<String> version = a.nonBlank("version");
        if (members.isEmpty() != version.isEmpty()) {
            throw new InputException("manifestCreate: give version and members together, or neither (the set file then says both)");
        }
        if (!members.isEmpty() && a.nonBlank("file").isPresent()) {
            throw new InputException("manifestCreate: give the members or the set file, not both");
        }
        return new ManifestCreateArgs(a.required("name"), a.text("store", ""), a.text("ledger", ""),
                a.nonBlank("file").orElse(io.releasegate.manifest.SetFile.DEFAULT), version, members);
    }
}
