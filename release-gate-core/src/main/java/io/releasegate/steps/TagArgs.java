package io.releasegate.steps;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#tagRelease}.
 *
 * @param branch the branch the release is cut from, if given
 * @param remote where the tag is pushed, if given (blank: not pushed)
 */
public record TagArgs(String name, String version, String store, String ledger, Optional<String> branch, Optional<String> remote) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "branch", "remote");

    public static TagArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("tag", map, KEYS);
        return new TagArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""), a.optional("branch"),
                a.nonBlank("remote"));
    }
}
