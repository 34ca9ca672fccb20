package io.releasegate.store;

import io.releasegate.digest.Digest;
import java.util.Objects;

/** A manifest's exact bytes, its media type and its digest (the digest of those bytes). */
public record StoredManifest(String mediaType, Digest digest, byte[] bytes) {

    public StoredManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredManifest m && m.mediaType.equals(mediaType) && m.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "StoredManifest[" + mediaType + " " + digest + " " + bytes.length + " bytes]";
    }
}
