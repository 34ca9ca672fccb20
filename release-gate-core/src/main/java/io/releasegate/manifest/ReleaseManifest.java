package io.releasegate.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A release manifest: several services' releases, each pinned to its artifact digest, promoted as one set. Its document
 * ({@value #FILE}, schema {@value #SCHEMA}) names, per member, the release, its digest, the commit and tag it was
 * built and tagged from, and the stored SBOMs and provenance; its bytes are canonical, so the same members always give
 * the same document and the same digest.
 *
 * <p>The manifest is itself built once ({@link BuildOnce}, artifactType {@value MediaTypes#RELEASE_MANIFEST}): an
 * immutable version in the store, with a {@code built} event whose {@code describes} lists each member's release and
 * digest. Whatever reads a manifest back ({@link #read}) re-checks the stored bytes against that signed event: the store
 * alone never decides what a set holds.
 */
public record ReleaseManifest(String name, String version, List<Member> members) {

    public static final String SCHEMA = "https://releasegate.io/schemas/release-manifest/v1";
    /** The file the artifact holds. */
    public static final String FILE = "release-manifest.json";
    /** Stored bytes that are not those the ledger describes. */
    public static final String TAMPERED = "manifest.tampered";
    /** The subject is not a release manifest. */
    public static final String NOT_A_MANIFEST = "manifest.unknown";
    private static final int MAX_BYTES = 4 << 20;

    /** A piece of stored evidence of a member: an SBOM ({@code kind} its format) or a provenance envelope. */
    public record Reference(String kind, String reference, Optional<Digest> document) {
        public Reference {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(document, "document");
        }
    }

    /** One service's release in the set. */
    public record Member(String name, String version, Digest digest, Optional<String> commit, Optional<String> tag,
                         List<Reference> sboms, List<Reference> provenance) {
        public Member {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(tag, "tag");
            sboms = List.copyOf(sboms);
            provenance = List.copyOf(provenance);
        }

        public String subject() {
            return name + "@" + version;
        }
    }

    public ReleaseManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        members = List.copyOf(members);
    }

    public String subject() {
        return name + "@" + version;
    }

    /** The member called {@code service}, if the set has it. */
    public Optional<Member> member(String service) {
        return members.stream().filter(m -> m.name().equals(service)).findFirst();
    }

    /** The document: canonical, compact UTF-8 JSON. */
    public byte[] bytes() {
        ObjectNode doc = Json.object().put("schema", SCHEMA).put("name", name).put("version", version);
        ArrayNode ms = doc.putArray("members");
        for (Member m : members) {
            ObjectNode n = ms.addObject().put("name", m.name()).put("version", m.version()).put("digest", m.digest().toString());
            m.commit().ifPresent(c -> n.put("commit", c));
            m.tag().ifPresent(t -> n.put("tag", t));
            references(n.putArray("sboms"), m.sboms());
            references(n.putArray("provenance"), m.provenance());
        }
        return Json.bytes(doc);
    }

    private static void references(ArrayNode into, List<Reference> refs) {
        for (Reference r : refs) {
            ObjectNode n = into.addObject().put("kind", r.kind()).put("reference", r.reference());
            r.document().ifPresent(d -> n.put("document", d.toString()));
        }
    }

    /** What the {@code built} event records of the set ({@code describes}): each member's release and digest. */
    public ObjectNode describes() {
        ObjectNode d = Json.object().put("kind", "release-manifest");
        ArrayNode ms = d.putArray("members");
        members.forEach(m -> ms.addObject().put("subject", m.subject()).put("digest", m.digest().toString()));
        return d;
    }

    /** Whether a {@code built} event is that of a release manifest. */
    public static boolean isManifest(Event built) {
        return built.type().equals(BuildOnce.EVENT_TYPE)
                && built.text("artifactType").orElse("").equals(MediaTypes.RELEASE_MANIFEST);
    }

    /** The set's {@code built} event among its events, if it was built as a release manifest. */
    public static Optional<Event> built(List<Event> events) {
        return events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst().filter(ReleaseManifest::isManifest);
    }

    /** Parses a document; anything that is not one is an {@link InputException} naming {@code where}. */
    public static ReleaseManifest parse(byte[] bytes, String where) {
        JsonNode doc;
        try {
            doc = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new InputException(where + " is not JSON: " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject() || !SCHEMA.equals(doc.path("schema").asText())) {
            throw new InputException(where + " is not a release manifest (schema " + SCHEMA + ")");
        }
        String name = text(doc, "name", where);
        String version = text(doc, "version", where);
        if (!doc.path("members").isArray() || doc.path("members").isEmpty()) {
            throw new InputException(where + " lists no members");
        }
        List<Member> members = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode m : doc.path("members")) {
            String n = text(m, "name", where);
            if (!names.add(n)) {
                throw new InputException(where + " lists " + n + " twice");
            }
            members.add(new Member(n, text(m, "version", where), digest(text(m, "digest", where), where),
                    optional(m, "commit"), optional(m, "tag"), references(m.path("sboms"), where),
                    references(m.path("provenance"), where)));
        }
        return new ReleaseManifest(name, version, members);
    }

    private static List<Reference> references(JsonNode array, String where) {
        List<Reference> refs = new ArrayList<>();
        for (JsonNode r : array) {
            refs.add(new Reference(text(r, "kind", where), text(r, "reference", where),
                    optional(r, "document").map(d -> digest(d, where))));
        }
        return refs;
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InputException(where + " has no '" + field + "'");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText());
    }

    private static Digest digest(String value, String where) {
        try {
            return Digest.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InputException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The manifest of the set whose events are {@code events}, read back from the store and checked: the artifact the
     * {@code built} event names (by digest, every byte re-verified) holds one {@value #FILE}, which is a release manifest
     * for this name and version whose members are exactly those the (signed) event describes. Anything else is refused
     * ({@value #NOT_A_MANIFEST}, {@value #TAMPERED}, or the store's {@code store.*} rules).
     */
    public static ReleaseManifest read(ArtifactStore store, String subject, List<Event> events) {
        Event built = built(events).orElseThrow(() -> new RefusedException(new Refusal(NOT_A_MANIFEST, "the ledger has no "
                + "release manifest " + subject, "create it with 'release-gate manifest create'")));
        Digest digest = built.digest().orElseThrow();
        String name = built.text("name").orElseThrow();
        String repository = OciNames.repository(name);
        StoredManifest m = store.fetchManifest(repository, digest.toString()).orElseThrow(() -> new RefusedException(new Refusal(
                ContentVerifier.MANIFEST_MISSING, "store " + store.location() + " has no manifest " + digest + " for " + subject,
                "restore it from a trusted copy, or create the manifest again under a new version")));
        JsonNode oci;
        try {
            oci = Json.mapper().readTree(m.bytes());
        } catch (IOException e) {
            throw tampered(subject, "its stored manifest " + digest + " is not JSON");
        }
        JsonNode layers = oci.path("layers");
        JsonNode layer = layers.path(0);
        if (layers.size() != 1 || !FILE.equals(layer.path("annotations").path(MediaTypes.ANNOTATION_TITLE).asText())) {
            throw tampered(subject, "its stored artifact " + digest + " does not hold exactly one " + FILE);
        }
        Digest file;
        try {
            file = Digest.parse(layer.path("digest").asText());
        } catch (IllegalArgumentException e) {
            throw tampered(subject, "its stored artifact names no digest for " + FILE);
        }
        byte[] bytes;
        try (InputStream in = store.openBlob(repository, file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new InputException("cannot read " + FILE + " of " + subject + " from " + store.location() + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw tampered(subject, "its " + FILE + " is larger than " + MAX_BYTES + " bytes");
        }
        ReleaseManifest doc;
        try {
            doc = parse(bytes, FILE + " of " + subject);
        } catch (InputException e) {
            throw tampered(subject, e.getMessage());
        }
        if (!doc.subject().equals(subject) || !doc.describes().equals(built.payload().path("describes"))) {
            throw tampered(subject, "the stored " + FILE + " (" + doc.subject() + ": " + doc.members().stream()
                    .map(x -> x.subject() + "=" + x.digest().shortForm()).toList() + ") is not the set the ledger recorded (event "
                    + built.id() + ": " + built.payload().path("describes").path("members") + ")");
        }
        return doc;
    }

    private static RefusedException tampered(String subject, String what) {
        return new RefusedException(new Refusal(TAMPERED, "release manifest " + subject + ": " + what,
                "restore the manifest from a trusted copy; a changed set is a new manifest version"));
    }
}
