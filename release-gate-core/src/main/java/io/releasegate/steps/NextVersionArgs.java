package io.releasegate.steps;

import io.releasegate.error.InputException;
import io.releasegate.version.NextVersion;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#nextVersion}.
 *
 * @param rev        the commit released (default {@code HEAD})
 * @param branch     the branch it is on, if given
 * @param scheme     {@code semver} (default) or {@code calver}
 * @param preRelease a pre-release label ({@code rc}), if given
 */
public record NextVersionArgs(String rev, Optional<String> branch, NextVersion.Scheme scheme, Optional<String> preRelease) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("rev", "branch", "scheme", "preRelease");

    public static NextVersionArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("nextVersion", map, KEYS);
        String scheme = a.text("scheme", "semver");
        NextVersion.Scheme s = switch (scheme.toLowerCase(Locale.ROOT)) {
            case "semver" -> NextVersion.Scheme.SEMVER;
            case "calver" -> NextVersion.Scheme.CALVER;
            default -> throw new InputException("nextVersion: scheme must be semver or calver, not " + scheme);
        };
        return new NextVersionArgs(a.text("rev", "HEAD"), a.optional("branch"), s, a.optional("preRelease"));
    }
}
