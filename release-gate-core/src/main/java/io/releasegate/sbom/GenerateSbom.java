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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.parsers.JsonParser;

/**
 * generateSbom for JVM archives: a CycloneDX 1.6 JSON SBOM of a published release, bound to the
 * artifact digest ({@code metadata.component} with its hash), validated against the official schema,
 * deterministic (timestamp from {@code SOURCE_DATE_EPOCH} or the build, sorted components, serial
 * number derived from the content), stored as an OCI artifact whose {@code subject} is the release's
 * manifest, and recorded as {@code sbom-generated}.
 */
public final class GenerateSbom {

    public static final String CYCLONEDX_MEDIA_TYPE = "application/vnd.cyclonedx+json";

    public record Result(byte[] cyclonedx, Digest sbomDigest, Digest referrer, List<String> warnings, int components, String eventId) {
        public Result {
            cyclonedx = cyclonedx.clone();
            warnings = List.copyOf(warnings);
        }
    }

    private GenerateSbom() {
    }

    public static Result call(ArtifactStore store, Ledger ledger, String name, String version, Optional<Instant> sourceDateEpoch,
                              JvmCataloger.Limits limits, String actor, Clock clock) {
        String subject = name + "@" + version;
        Event built = ledger.events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("sbom.unknown-release", "the ledger has no 'built' event for "
                        + subject, "build it first")));
        Digest artifact = built.digest().orElseThrow();
        StoredManifest manifest = store.fetchManifest(name, artifact.toString())
                .orElseThrow(() -> new InputException("store " + store.location() + " has no manifest " + artifact));
        List<JvmCataloger.Package> packages = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> topLevel = new ArrayList<>();
        try {
            for (var layer : Json.mapper().readTree(manifest.bytes()).path("layers")) {
                String title = layer.path("annotations").path(MediaTypes.ANNOTATION_TITLE).asText("");
                if (!JvmCataloger.isArchive(title)) {
                    continue;
                }
                try (InputStream in = store.openBlob(name, Digest.parse(layer.path("digest").asText()))) {
                    JvmCataloger.Result r = JvmCataloger.catalog(title, in, limits);
                    packages.addAll(r.packages());
                    topLevel.add(r.packages().get(0).ref());
                    warnings.addAll(r.warnings());
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + subject + " from " + store.location() + ": " + e.getMessage(), e);
        }

        Bom bom = new Bom();
        Metadata md = new Metadata();
        md.setTimestamp(Date.from(sourceDateEpoch.orElse(built.time())));
        Component root = new Component();
        root.setType(Component.Type.APPLICATION);
        root.setBomRef("artifact");
        root.setName(name);
        root.setVersion(version);
        root.setPurl("pkg:oci/" + name.substring(name.lastIndexOf('/') + 1) + "@" + artifact.toString().replace(":", "%3A"));
        root.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, artifact.hex())));
        md.setComponent(root);
        bom.setMetadata(md);
        packages.sort(Comparator.comparing(JvmCataloger.Package::path));
        Map<String, Dependency> deps = new LinkedHashMap<>();
        Dependency rootDep = new Dependency("artifact");
        for (JvmCataloger.Package p : packages) {
            Component c = new Component();
            c.setType(Component.Type.LIBRARY);
            c.setBomRef(p.ref());
            c.setName(p.name());
            p.group().ifPresent(c::setGroup);
            p.version().ifPresent(c::setVersion);
            p.purl().ifPresent(c::setPurl);
            List<Hash> hashes = new ArrayList<>();
            if (!p.sha1().isEmpty()) {
                hashes.add(new Hash(Hash.Algorithm.SHA1, p.sha1()));
                hashes.add(new Hash(Hash.Algorithm.SHA_256, p.sha256()));
                c.setHashes(hashes);
            }
            if (!p.licenses().isEmpty()) {
                LicenseChoice lc = new LicenseChoice();
                for (String l : p.licenses()) {
                    License license = new License();
                    String id = Licenses.spdxId(l);
                    if (id != null) {
                        license.setId(id);
                    } else {
                        license.setName(l);
                    }
                    lc.addLicense(license);
                }
                c.setLicenses(lc);
            }
            bom.addComponent(c);
            deps.put(p.ref(), new Dependency(p.ref()));
        }
        for (JvmCataloger.Package p : packages) {
            if (p.parent().isPresent() && deps.containsKey(p.parent().get())) {
                deps.get(p.parent().get()).addDependency(new Dependency(p.ref()));
            } else if (topLevel.contains(p.ref())) {
                rootDep.addDependency(new Dependency(p.ref()));
            }
        }
        bom.addDependency(rootDep);
        deps.values().forEach(bom::addDependency);
        StringBuilder identity = new StringBuilder(artifact.toString());
        packages.forEach(p -> identity.append('\n').append(p.path()).append(' ').append(p.sha256()).append(' ').append(p.purl().orElse("")));
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(identity.toString().getBytes(StandardCharsets.UTF_8)));

        byte[] json;
        try {
            json = BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString().getBytes(StandardCharsets.UTF_8);
            List<ParseException> errors = new JsonParser().validate(json, Version.VERSION_16);
            if (!errors.isEmpty()) {
                throw new IllegalStateException("internal error: the CycloneDX SBOM does not validate: " + errors);
            }
        } catch (org.cyclonedx.exception.GeneratorException | IOException e) {
            throw new IllegalStateException("cannot write the CycloneDX SBOM: " + e.getMessage(), e);
        }

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
