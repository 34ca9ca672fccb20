package io.releasegate.sbom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.Referrers;
import io.releasegate.store.StoredManifest;
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
        Referrers.Stored stored = Referrers.push(store, name, manifest, CYCLONEDX_MEDIA_TYPE, "sbom.cdx.json", json);
        Digest sbomDigest = stored.document();
        ObjectNode payload = Json.object().put("format", "cyclonedx").put("specVersion", "1.6")
                .put("sbomDigest", sbomDigest.toString()).put("reference", stored.reference()).put("components", packages.size());
        warnings.forEach(w -> payload.withArray("warnings").add(w));
        Event e = ledger.append(Event.draft("sbom-generated", subject, Optional.of(artifact), actor, clock.instant(), payload));
        return new Result(json, sbomDigest, stored.manifest(), warnings, packages.size(), e.id());
    }

}
