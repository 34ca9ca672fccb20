package io.releasegate.sbom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactManifest;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.StoredManifest;
import io.releasegate.store.TagResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * generateSbom for JVM archives: a CycloneDX 1.6 JSON SBOM of a published release, bound to the
 * artifact digest ({@code metadata.component} with its hash), validated against the official schema,
 * deterministic (timestamp from {@code SOURCE_DATE_EPOCH} or the build, sorted components, serial
 * number derived from the content), stored as an OCI artifact whose {@code subject} is the release's
 * manifest, and recorded as {@code sbom-generated}.
 */
public final class GenerateSbom {

    public static final String CYCLONEDX_MEDIA_TYPE = CycloneDxWriter.MEDIA_TYPE;

    public record Result(byte[] cyclonedx, Digest sbomDigest, Digest referrer, List<String> warnings, int components, String eventId) {
        public Result {
            cyclonedx = cyclonedx.clone();
            warnings = List.copyOf(warnings);
        }
    }

    private GenerateSbom() {
    }

    public static Result call(ArtifactStore store, Ledger ledger, String name, String version, Optional<Instant> sourceDateEpoch,
                              Limits limits, String actor, Clock clock) {
        String subject = name + "@" + version;
        Event built = ledger.events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("sbom.unknown-release", "the ledger has no 'built' event for "
                        + subject, "build it first")));
        Digest artifact = built.digest().orElseThrow();
        StoredManifest manifest = store.fetchManifest(name, artifact.toString())
                .orElseThrow(() -> new InputException("store " + store.location() + " has no manifest " + artifact));
        Catalog catalog = Catalog.empty();
        try {
            for (var layer : Json.mapper().readTree(manifest.bytes()).path("layers")) {
                String title = layer.path("annotations").path(MediaTypes.ANNOTATION_TITLE).asText("");
                if (!Catalogers.supports(title)) {
                    continue;
                }
                try (InputStream in = store.openBlob(name, Digest.parse(layer.path("digest").asText()))) {
                    catalog = catalog.plus(Catalogers.catalog(title, in, limits));
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + subject + " from " + store.location() + ": " + e.getMessage(), e);
        }
        byte[] json = CycloneDxWriter.write(SbomSubject.release(name, version, artifact, sourceDateEpoch.orElse(built.time())), catalog);
        List<String> warnings = catalog.warnings();
        List<SbomPackage> packages = catalog.packages();

        // store it as an OCI artifact that refers to the release's manifest (OCI 1.1 subject)
        Digest sbomDigest = Digester.of(json);
        store.pushBlob(name, ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        store.pushBlob(name, sbomDigest, json);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("artifactType", CYCLONEDX_MEDIA_TYPE);
        m.putObject("config").put("mediaType", MediaTypes.OCI_EMPTY).put("digest", ArtifactManifest.emptyConfigDigest().toString())
                .put("size", 2).put("data", "e30=");
        m.putArray("layers").addObject().put("mediaType", CYCLONEDX_MEDIA_TYPE).put("digest", sbomDigest.toString())
                .put("size", json.length).putObject("annotations").put(MediaTypes.ANNOTATION_TITLE, "sbom.cdx.json");
        m.putObject("subject").put("mediaType", manifest.mediaType()).put("digest", artifact.toString())
                .put("size", manifest.bytes().length);
        byte[] mb = Json.bytes(m);
        TagResult tr = store.pushManifest(name, Optional.empty(), MediaTypes.OCI_MANIFEST, mb);
        ObjectNode payload = Json.object().put("format", "cyclonedx").put("specVersion", "1.6")
                .put("sbomDigest", sbomDigest.toString()).put("reference", name + "@" + tr.digest()).put("components", packages.size());
        warnings.forEach(w -> payload.withArray("warnings").add(w));
        Event e = ledger.append(Event.draft("sbom-generated", subject, Optional.of(artifact), actor, clock.instant(), payload));
        return new Result(json, sbomDigest, tr.digest(), warnings, packages.size(), e.id());
    }

}
