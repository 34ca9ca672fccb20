package io.releasegate.scope;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import java.util.Optional;

/**
 * The commits a release-scope check reads: {@code FROM..TO}, or {@code TO} alone (or nothing: {@code HEAD}) from the last
 * release tag reachable from it, as {@link History#lastRelease(String)} finds it for the changelog and the next version.
 * Both ends resolved to commit ids; an unknown revision is an input error naming it.
 */
public record ReleaseRange(Optional<String> from, String to, Optional<String> fromTag) {

    public static ReleaseRange resolve(History history, Optional<String> range) {
        String spec = range.map(String::trim).filter(s -> !s.isEmpty()).orElse("HEAD");
        if (spec.contains("...")) {
            throw new InputException("range '" + spec + "': use FROM..TO (the commits reachable from TO and not from FROM)");
        }
        int dots = spec.indexOf("..");
        if (dots >= 0) {
            String from = spec.substring(0, dots);
            String to = spec.substring(dots + 2);
            String toSha = history.resolve(to.isEmpty() ? "HEAD" : to).name();
            if (from.isEmpty()) {
                throw new InputException("range '" + spec + "' has no start: give FROM..TO, or TO alone for the release scope");
            }
            return new ReleaseRange(Optional.of(history.resolve(from).name()), toSha, Optional.empty());
        }
        String toSha = history.resolve(spec).name();
        Optional<History.ReleaseTag> last = history.lastRelease(toSha);
        return new ReleaseRange(last.map(History.ReleaseTag::commit), toSha, last.map(History.ReleaseTag::name));
    }

    /** {@code vX.Y.Z..abc1234}, for messages. */
    public String describe() {
        return fromTag.or(() -> from.map(f -> f.substring(0, 12))).map(f -> f + "..").orElse("(all history)..") + to.substring(0, 12);
    }
}
