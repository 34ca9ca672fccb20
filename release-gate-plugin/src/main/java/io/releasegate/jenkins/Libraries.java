package io.releasegate.jenkins;

import hudson.model.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jenkinsci.plugins.workflow.libs.GlobalLibraries;
import org.jenkinsci.plugins.workflow.libs.LibrariesAction;
import org.jenkinsci.plugins.workflow.libs.LibraryConfiguration;
import org.jenkinsci.plugins.workflow.libs.LibraryRecord;

/**
 * The shared libraries this build loaded, as pipeline-groovy-lib recorded them ({@link LibrariesAction}):
 * name, the version (ref) asked for, whether it was trusted. The version is the ref as requested; the
 * record does not carry the commit it resolved to, so "pinned" means the ref has the form of a full
 * commit id or of a release tag {@code vX.Y.Z} (release tags are never moved, by policy), and, for a
 * global library, that the administrator forbids overriding its default version.
 */
final class Libraries {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern RELEASE_TAG = Pattern.compile("v\\d+\\.\\d+\\.\\d+");

    /** One loaded library. */
    record Loaded(String name, String version, boolean trusted, boolean pinnedRef, Optional<Boolean> overridable) {

        /** A full commit id or a release tag, which a Jenkinsfile cannot override. */
        boolean pinned() {
            return pinnedRef && !overridable.orElse(false);
        }

        String describe() {
            return name + "@" + version + (pinned() ? " (pinned)" : " (not pinned)") + (trusted ? ", trusted" : "");
        }
    }

    private Libraries() {
    }

    static List<Loaded> of(Run<?, ?> run) {
        List<Loaded> out = new ArrayList<>();
        for (LibrariesAction action : run.getActions(LibrariesAction.class)) {
            for (LibraryRecord record : action.getLibraries()) {
                String version = record.getVersion() == null ? "" : record.getVersion();
                out.add(new Loaded(record.getName(), version, record.isTrusted(),
                        COMMIT.matcher(version).matches() || RELEASE_TAG.matcher(version).matches(),
                        overridable(record.getName())));
            }
        }
        return out;
    }

    static Optional<Loaded> named(Run<?, ?> run, String name) {
        return of(run).stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** For a global library: whether Jenkinsfiles may ask for another version than the default. */
    private static Optional<Boolean> overridable(String name) {
        for (LibraryConfiguration library : GlobalLibraries.get().getLibraries()) {
            if (library.getName().equals(name)) {
                return Optional.of(library.isAllowVersionOverride());
            }
        }
        return Optional.empty();
    }
}
