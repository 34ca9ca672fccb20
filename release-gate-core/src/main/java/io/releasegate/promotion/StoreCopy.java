package io.releasegate.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.StoredManifest;
import io.releasegate.store.TagResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Copies one manifest, by digest and byte for byte, from one repository of a store to another, with everything
 * it refers to: the config and layers of an image manifest, the config and blobs of an artifact manifest, every
 * child manifest of an index (and theirs), and the {@code subject} of a manifest that has one. Children go
 * before their parents, and the tag, when asked for, is set last, on the manifest itself; a tag is never moved.
 * A registry under concurrent uploads of the same blob can briefly deny knowing it: the copy is then retried.
 */
public final class StoreCopy {

    private static final int MAX_DEPTH = 8;
    private static final int ATTEMPTS = 5;

    private final ArtifactStore store;

    public StoreCopy(ArtifactStore store) {
        this.store = Objects.requireNonNull(store);
    }

    /** Copies {@code digest} of {@code from} to {@code to}, tagged {@code tag} when given. */
    public TagResult copy(String from, Digest digest, String to, Optional<String> tag) {
        for (int attempt = 1; ; attempt++) {
            try {
                return copyManifest(from, digest, to, tag, 0);
            } catch (InputException e) {
                if (attempt >= ATTEMPTS || e.getMessage() == null || !e.getMessage().contains("BLOB_UNKNOWN")) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private TagResult copyManifest(String from, Digest digest, String to, Optional<String> tag, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InputException("cannot copy " + digest + " to " + to + ": manifests nest deeper than " + MAX_DEPTH + " levels");
        }
        StoredManifest m = store.fetchManifest(from, digest.toString()).orElseThrow(() -> new InputException(
                "store " + store.location() + " has no manifest " + digest + " for " + from));
        JsonNode doc;
        try {
            doc = Json.mapper().readTree(m.bytes());
        } catch (IOException e) {
            throw new InputException("cannot copy " + digest + " to " + to + ": the manifest is not JSON: " + e.getMessage(), e);
        }
        JsonNode subject = doc.path("subject");
        if (subject.isObject()) {
            Digest s = descriptor(subject, digest);
            if (store.fetchManifest(from, s.toString()).isPresent() && store.fetchManifest(to, s.toString()).isEmpty()) {
                copyManifest(from, s, to, Optional.empty(), depth + 1);
            }
        }
        for (JsonNode child : doc.path("manifests")) {
            Digest c = descriptor(child, digest);
            if (store.fetchManifest(to, c.toString()).isEmpty()) {
                copyManifest(from, c, to, Optional.empty(), depth + 1);
            }
        }
        List<JsonNode> blobs = new ArrayList<>();
        if (doc.path("config").isObject()) {
            blobs.add(doc.get("config"));
        }
        doc.path("layers").forEach(blobs::add);
        doc.path("blobs").forEach(blobs::add);
        for (JsonNode b : blobs) {
            copyBlob(from, descriptor(b, digest), to);
        }
        return store.pushManifest(to, tag, m.mediaType(), m.bytes());
    }

    private void copyBlob(String from, Digest d, String to) {
        if (store.hasBlob(to, d)) {
            return;
        }
        try {
            Path tmp = Files.createTempFile("release-gate-blob", ".tmp");
            try {
                try (InputStream in = store.openBlob(from, d)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                store.pushBlob(to, d, Files.size(tmp), tmp, Progress.NONE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new InputException("cannot copy blob " + d + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static Digest descriptor(JsonNode d, Digest in) {
        try {
            return Digest.parse(d.path("digest").asText());
        } catch (IllegalArgumentException e) {
            throw new InputException("manifest " + in + " has a descriptor without a valid digest: " + e.getMessage(), e);
        }
    }
}
