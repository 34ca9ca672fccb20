package io.releasegate.store;

import io.releasegate.digest.Digest;

/** What happened when a manifest was stored under a tag. */
public sealed interface TagResult {

    /** The manifest's digest (for {@link Conflict}, the digest we tried to store). */
    Digest digest();

    /** The tag did not exist and now names the manifest (or no tag was asked for). */
    record Created(Digest digest) implements TagResult {
    }

    /** The tag already named exactly this manifest: nothing changed. */
    record Unchanged(Digest digest) implements TagResult {
    }

    /** The tag names another manifest and was left alone. */
    record Conflict(Digest digest, Digest existing) implements TagResult {
    }
}
