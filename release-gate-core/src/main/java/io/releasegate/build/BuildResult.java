package io.releasegate.build;

import io.releasegate.digest.Digest;
import io.releasegate.digest.Subject;
import java.util.List;
import java.util.Optional;

/**
 * What buildOnce did.
 *
 * @param digest    the artifact digest: the digest of the manifest published as {@code name:version}
 * @param subjects  every file with its SHA-256, in-toto style (for an OCI image: the image itself)
 * @param outcome   whether the version was published now or was already there with the same content
 * @param eventId   the ledger commit of the {@code built} event (the existing one on a no-op)
 * @param commit    the workspace's git HEAD commit, when the workspace is a git repository
 * @param missingTargets the expected targets (of the recorded {@code built} event) that no subject matches: while
 *                  any is missing the release cannot be promoted to production
 */
public record BuildResult(String name, String version, Digest digest, String mediaType, String store,
                          String reference, List<Subject> subjects, Outcome outcome, String eventId,
                          Optional<String> commit, List<String> missingTargets) {

    public enum Outcome {
        /** Blobs and manifest were written and the tag created. */
        PUBLISHED,
        /** The tag already named exactly this content; nothing was written. */
        ALREADY_PUBLISHED
    }

    public BuildResult {
        subjects = List.copyOf(subjects);
        missingTargets = List.copyOf(missingTargets);
    }
}
