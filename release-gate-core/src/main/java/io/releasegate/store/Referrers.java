package io.releasegate.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import java.util.Optional;

/**
 * Evidence about an artifact (SBOMs, attestations, signature bundles) stored next to it as OCI 1.1 artifacts
 * whose {@code subject} is the artifact's manifest: one layer holding the document, the empty config, pushed
 * by digest and never tagged, so the evidence cannot be moved to another artifact. The ledger records each
 * referrer's digest; registries with the referrers API also list them.
 */
public final class Referrers {

    private Referrers() {
    }

    /** A stored referrer: the manifest's digest and the document's. */
    public record Stored(Digest manifest, Digest document, String reference) {
    }

    /**
     * Stores {@code document} as an artifact of {@code artifactType} referring to {@code subject} (a manifest of
     * {@code repository}); {@code title} names the layer ({@code org.opencontainers.image.title}).
     */
    public static Stored push(ArtifactStore store, String repository, StoredManifest subject, String artifactType, String title,
                              byte[] document) {
        Digest documentDigest = Digester.of(document);
        store.pushBlob(repository, ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        store.pushBlob(repository, documentDigest, document);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST).put("artifactType", artifactType);
        m.putObject("config").put("mediaType", MediaTypes.OCI_EMPTY).put("digest", ArtifactManifest.emptyConfigDigest().toString())
                .put("size", 2).put("data", "e30=");
        m.putArray("layers").addObject().put("mediaType", artifactType).put("digest", documentDigest.toString())
                .put("size", document.length).putObject("annotations").put(MediaTypes.ANNOTATION_TITLE, title);
        m.putObject("subject").put("mediaType", subject.mediaType()).put("digest", subject.digest().toString())
                .put("size", subject.bytes().length);
        TagResult tr = store.pushManifest(repository, Optional.empty(), MediaTypes.OCI_MANIFEST, Json.bytes(m));
        return new Stored(tr.digest(), documentDigest, repository + "@" + tr.digest());
    }
}
