package io.releasegate.provenance;

import io.releasegate.error.Refusal;
import io.releasegate.policy.Policy;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The ref a pipeline library was loaded from (what Jenkins exposes as {@code library.NAME.version}): pinned
 * when it is a release tag {@code vX.Y.Z} or a full commit SHA, which always name the same code; moving
 * otherwise (a branch such as {@code main}, or unknown), and then the last environment refuses the release
 * unless the policy's {@code library.allowUnpinned} says otherwise.
 */
public final class LibraryRef {

    private static final Pattern TAG = Pattern.compile("^v\\d+\\.\\d+\\.\\d+$");
    private static final Pattern COMMIT = Pattern.compile("^[0-9a-f]{40}$");

    private LibraryRef() {
    }

    /** Whether {@code ref} always names the same library code. */
    public static boolean pinned(String ref) {
        return ref != null && (TAG.matcher(ref).matches() || COMMIT.matcher(ref).matches());
    }

    /** The refusal for a release built by library {@code name} loaded from {@code ref}, if the policy refuses it. */
    public static Optional<Refusal> check(Policy policy, String name, String ref) {
        if (pinned(ref) || policy.library().allowUnpinned()) {
            return Optional.empty();
        }
        String shown = ref == null || ref.isBlank() ? "an unknown ref" : "'" + ref + "'";
        return Optional.of(new Refusal("promote.library-unpinned", "the release was built by library " + name + " loaded from "
                + shown + ", a ref that can move: production needs a pinned library",
                "load the library by a vX.Y.Z tag or a full commit SHA (@Library('" + name + "@vX.Y.Z') _), "
                        + "or allow it in the policy (library.allowUnpinned: true)"));
    }
}
