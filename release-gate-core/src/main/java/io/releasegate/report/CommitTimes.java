package io.releasegate.report;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When the changes of a release were first committed: the lead-time clock's start. Read from the git history of the
 * repositories at hand; a commit that none of them holds has no first-commit time, and its lead time is measured from
 * its build.
 */
@FunctionalInterface
public interface CommitTimes {

    /**
     * The earliest committer time among the commits reachable from {@code commit} and not from {@code since} (the
     * previous production release's commit of the same service; all of history when empty or not in the repository);
     * empty when no repository at hand holds {@code commit}.
     */
    Optional<Instant> firstCommit(String commit, Optional<String> since);

    /** No history: every lead time is measured from the build. */
    static CommitTimes none() {
        return (commit, since) -> Optional.empty();
    }

    /** The histories of these repositories; the first that holds a commit answers for it. */
    static CommitTimes of(List<History> histories) {
        List<History> all = List.copyOf(histories);
        return (commit, since) -> {
            for (History h : all) {
                if (!holds(h, commit)) {
                    continue;
                }
                Optional<String> from = since.filter(s -> holds(h, s));
                return h.range(from, commit).stream().map(History.Commit::time).min(Instant::compareTo);
            }
            return Optional.empty();
        };
    }

    private static boolean holds(History h, String commit) {
        try {
            h.resolve(commit);
            return true;
        } catch (InputException notHere) {
            return false;
        }
    }
}
