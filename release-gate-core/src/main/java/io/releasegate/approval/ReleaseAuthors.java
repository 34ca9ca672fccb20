package io.releasegate.approval;

import io.releasegate.commits.History;
import io.releasegate.version.SemVer;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** The people who wrote or committed the changes of a release: from the previous release tag to the built commit. */
public final class ReleaseAuthors {

    private ReleaseAuthors() {
    }

    public static Set<String> of(History history, String builtCommit, String version) {
        Optional<String> previous = history.lastRelease(builtCommit, Optional.of(SemVer.parse(version)))
                .map(History.ReleaseTag::commit);
        Set<String> out = new LinkedHashSet<>();
        for (History.Commit c : history.range(previous, builtCommit)) {
            out.addAll(Identities.forms(c.authorName(), c.authorEmail(), c.committerName(), c.committerEmail()));
        }
        return out;
    }
}
