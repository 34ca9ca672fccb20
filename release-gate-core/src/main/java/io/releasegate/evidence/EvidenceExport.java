package io.releasegate.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.ledger.Verification;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.store.StoredManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The evidence bundle of one release: everything an auditor needs, in one archive ({@link EvidenceArchive}) that is
 * checked offline ({@link EvidenceVerify}) with the release key's public key and plain git. Configured, then
 * {@link #call()}ed; the same release (the same events, store content and tag) always exports to the same bytes.
 *
 * <p>The record and the ledger bundle are as of the release's newest event ({@code ledger.tip} in the index): a later
 * event of another release changes neither. Evidence the policy requires that is not there is listed in the index's
 * {@code missing}: the bundle is still exported, so that the auditor sees the gap.
 */
public final class EvidenceExport {

    public static final String SCHEMA = "https://releasegate.io/schemas/evidence-index/v1";
    public static final String INDEX = "INDEX.json";
    public static final String SIGNATURE = "INDEX.json.sig";
    public static final String INDEX_MD = "INDEX.md";
    public static final String RECORD = "record/release-record.json";
    public static final String MANIFEST = "artifact/manifest.json";
    public static final String SUBJECTS = "artifact/subjects.json";
    public static final String PROVENANCE = "provenance/provenance.dsse.json";
    public static final String LEDGER = "ledger/ledger.bundle";
    private static final int MAX_DOCUMENT = 512 << 20;

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Optional<Path> repo = Optional.empty();
    private KeySigner signer;

    public EvidenceExport(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public EvidenceExport release(String releaseName, String releaseVersion) {
        this.name = releaseName;
        this.version = releaseVersion;
        return this;
    }

    /** The git repository holding the release tag, whose signed tag object goes into the bundle. */
    public EvidenceExport repository(Optional<Path> dir) {
        this.repo = Objects.requireNonNull(dir);
        return this;
    }

    /** The release key that signs the index. */
    public EvidenceExport signer(KeySigner key) {
        this.signer = key;
        return this;
    }

    /** The archive, and its index. */
    public record Exported(byte[] archive, ObjectNode index) {
        public Exported {
            archive = archive.clone();
        }

        @Override
        public byte[] archive() {
            return archive.clone();
        }
    }

    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, ObjectNode> described = new LinkedHashMap<>();
    private final ArrayNode missing = Json.mapper().createArrayNode();

    public Exported call() {
        Objects.requireNonNull(name, "release");
        Objects.requireNonNull(signer, "signer");
        files.clear();
        described.clear();
        missing.removeAll();
        String subject = name + "@" + version;
        List<Ledger.Entry> entries = ledger.entries();
        int tipIndex = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).event().subject().equals(subject)) {
                tipIndex = i;
            }
        }
        if (tipIndex < 0) {
            throw new InputException("ledger " + ledger.location() + " holds no event of " + subject + ": nothing to export");
        }
        String tip = entries.get(tipIndex).event().id();
        List<Event> upTo = new ArrayList<>();
        ArrayNode excluded = Json.mapper().createArrayNode();
        for (Ledger.Entry en : entries.subList(0, tipIndex + 1)) {
            if (en.verification() instanceof Verification.Rejected r) {
                excluded.add(en.event().id());
                if (en.event().subject().equals(subject)) {
                    gap("ledger-event", "event " + en.event().id() + " ('" + en.event().type() + "') is not believed ("
                            + r.rule() + ": " + r.reason() + "); it is in the ledger bundle but not in the record");
                }
            } else {
                upTo.add(en.event());
            }
        }
        List<Event> mine = upTo.stream().filter(e -> e.subject().equals(subject)).toList();
        Optional<ReleaseRecord> record = ReleaseRecordProjection.project(name, version, upTo, ledger.location(), Optional.of(tip));
        if (record.isPresent()) {
            put(RECORD, new ReleaseRecords().write(record.get()).getBytes(StandardCharsets.UTF_8), "the release record", null);
        } else {
            gap("built", "no believed 'built' event of " + subject + ": no release record, no artifact");
        }
        Optional<Event> built = mine.stream().filter(EventType.BUILT::is).findFirst();
        Optional<Digest> digest = built.flatMap(Event::digest);
        digest.ifPresent(d -> artifact(d, built.get()));
        digest.ifPresent(d -> sboms(d, mine));
        digest.ifPresent(d -> provenance(d, mine));
        signatures(digest, mine);
        tag(mine);
        events(mine, "gates", "gate report", "gates", EventType.GATE_EVALUATED, EventType.CHECK_RECORDED);
        exceptions(mine);
        events(mine, "approvals", "approval or decision", "approvals", EventType.APPROVED, EventType.DECISION,
                EventType.EMERGENCY_APPROVED, EventType.EMERGENCY_CHANGE, EventType.EMERGENCY_REVIEWED);
        events(mine, "promotions", "promotion", "promotions", EventType.PROMOTED, EventType.MARKED_BAD);
        events(mine, "verify-production", "verify-production outcome", "verify-production", EventType.PRODUCTION_VERIFIED);
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        ledger.bundle(tip, bundle);
        put(LEDGER, bundle.toByteArray(), "the ledger's history up to the release's newest event, as a git bundle", null);

        ObjectNode index = Json.object();
        index.put("schema", SCHEMA);
        index.put("release", subject);
        index.put("name", name);
        index.put("version", version);
        digest.ifPresent(d -> index.put("digest", d.toString()));
        ObjectNode l = index.putObject("ledger");
        l.put("location", ledger.location());
        l.put("bundle", LEDGER);
        l.put("ref", GitLedger.BRANCH);
        l.put("tip", tip);
        l.put("size", tipIndex + 1);
        ArrayNode ids = l.putArray("events");
        mine.forEach(e -> ids.add(e.id()));
        l.set("excluded", excluded);
        ObjectNode sig = index.putObject("signature");
        sig.put("file", SIGNATURE);
        sig.put("scheme", signer.scheme().name());
        signer.publicKey().ifPresent(k -> sig.put("keyFingerprint", ReleaseSignatures.fingerprint(k)));
        index.set("missing", missing);
        byte[] md = markdown(index).getBytes(StandardCharsets.UTF_8);
        files.put(INDEX_MD, md);
        described.put(INDEX_MD, Json.object().put("what", "this index, for people"));
        ArrayNode list = index.putArray("files");
        for (String path : files.keySet().stream().sorted().toList()) {
            ObjectNode f = list.addObject().put("path", path).put("sha256", Digester.of(files.get(path)).hex())
                    .put("size", files.get(path).length);
            f.setAll(described.get(path));
        }
        byte[] indexBytes = Json.pretty(index).getBytes(StandardCharsets.UTF_8);
        byte[] signature = Base64.getEncoder().encode(signer.signDeterministically(indexBytes));
        List<EvidenceArchive.Entry> out = new ArrayList<>();
        out.add(new EvidenceArchive.Entry(INDEX, indexBytes));
        out.add(new EvidenceArchive.Entry(SIGNATURE, signature));
        files.keySet().stream().sorted().forEach(p -> out.add(new EvidenceArchive.Entry(p, files.get(p))));
        return new Exported(EvidenceArchive.write(out), index);
    }

    private void put(String path, byte[] content, String what, Event event) {
        files.put(path, content);
        ObjectNode d = Json.object().put("what", what);
        if (event != null) {
            d.put("event", event.id());
        }
        described.put(path, d);
    }

    private void gap(String evidence, String reason) {
        missing.addObject().put("evidence", evidence).put("reason", reason);
    }

    private void artifact(Digest digest, Event built) {
        Optional<StoredManifest> m;
        try {
            m = store.fetchManifest(name, digest.toString());
        } catch (ReleaseGateException e) {
            gap("artifact-manifest", "the manifest " + digest + " cannot be read from store " + store.location() + ": " + e.getMessage());
            m = Optional.empty();
        }
        if (m.isPresent()) {
            put(MANIFEST, m.get().bytes(), "the artifact's OCI manifest (" + m.get().mediaType() + "), " + digest, built);
        } else if (missing.findValuesAsText("evidence").stream().noneMatch("artifact-manifest"::equals)) {
            gap("artifact-manifest", "store " + store.location() + " has no manifest " + digest);
        }
        JsonNode subjects = built.payload().path("subjects");
        if (subjects.isArray() && !subjects.isEmpty()) {
            put(SUBJECTS, Json.pretty(subjects).getBytes(StandardCharsets.UTF_8), "every subject's name and digest, as built", built);
        } else {
            gap("subjects", "the built event " + built.id() + " names no subjects");
        }
        for (String target : io.releasegate.build.Targets.missing(built)) {
            gap("target", "the build (event " + built.id() + ") declared the target " + target + " and published no subject for it");
        }
    }

    private void sboms(Digest digest, List<Event> mine) {
        for (String format : List.of("cyclonedx", "spdx")) {
            Optional<Event> last = last(mine.stream().filter(e -> EventType.SBOM_GENERATED.is(e)
                    && e.text("format").orElse("cyclonedx").equals(format)).toList());
            if (last.isEmpty()) {
                gap("sbom-" + format, "no " + format + " SBOM is recorded");
                continue;
            }
            document(digest, last.get(), "sbomDigest", "sbom/" + format + ".json", "the " + format + " SBOM", "sbom-" + format);
        }
    }

    private void provenance(Digest digest, List<Event> mine) {
        Optional<Event> last = last(mine.stream().filter(EventType.PROVENANCE_GENERATED::is).toList());
        if (last.isEmpty()) {
            gap("provenance", "no provenance is recorded");
            return;
        }
        document(digest, last.get(), "attestationDigest", PROVENANCE, "the SLSA provenance in its signed DSSE envelope", "provenance");
    }

    private void document(Digest digest, Event e, String digestField, String path, String what, String evidence) {
        try {
            byte[] doc = ContentVerifier.referrerDocument(store, e.text("reference").orElse(""), digest,
                    Digest.parse(e.text(digestField).orElse("")), MAX_DOCUMENT);
            put(path, doc, what, e);
        } catch (ReleaseGateException | IllegalArgumentException x) {
            gap(evidence, "recorded in event " + e.id() + " but not readable from store " + store.location() + ": " + x.getMessage());
        }
    }

    private void signatures(Optional<Digest> digest, List<Event> mine) {
        List<Event> signed = mine.stream().filter(EventType.SIGNED::is).toList();
        if (signed.isEmpty()) {
            gap("signature", "no signature of the artifact is recorded");
        }
        int n = 0;
        for (Event e : signed) {
            String base = String.format("signatures/%02d-%s", ++n, e.id().substring(0, 12));
            e.text("signature").ifPresent(s -> put(base + ".sig", s.getBytes(StandardCharsets.UTF_8),
                    "signature of the artifact manifest (base64)", e));
            e.text("certificate").ifPresent(c -> put(base + ".pem", c.getBytes(StandardCharsets.UTF_8), "the signing certificate", e));
            if (e.text("bundleDigest").isPresent() && digest.isPresent()) {
                document(digest.get(), e, "bundleDigest", base + ".sigstore.json", "the Sigstore bundle", "signature-bundle");
            }
        }
    }

    private void tag(List<Event> mine) {
        Optional<Event> tagged = last(mine.stream().filter(EventType.TAGGED::is).toList());
        if (tagged.isEmpty()) {
            gap("signed-tag", "no signed release tag is recorded");
            return;
        }
        String tag = tagged.get().text("tag").orElse("v" + version);
        if (repo.isEmpty()) {
            gap("signed-tag", "tag " + tag + " is recorded (event " + tagged.get().id() + ") but no repository was given to read it from");
            return;
        }
        try (Repository r = new FileRepositoryBuilder().findGitDir(repo.get().toFile()).setMustExist(true).build()) {
            Ref ref = r.exactRef(Constants.R_TAGS + tag);
            if (ref == null) {
                gap("signed-tag", "repository " + repo.get() + " has no tag " + tag);
                return;
            }
            ObjectId id = ref.getObjectId();
            var loader = r.open(id);
            if (loader.getType() != Constants.OBJ_TAG) {
                gap("signed-tag", "tag " + tag + " in " + repo.get() + " is not an annotated tag");
                return;
            }
            put("tag/" + tag + ".tag", loader.getBytes(), "the signed tag object " + id.name() + " (git cat-file tag " + tag + ")",
                    tagged.get());
        } catch (IOException | IllegalArgumentException e) {
            gap("signed-tag", "cannot read tag " + tag + " from " + repo.get() + ": " + e.getMessage());
        }
    }

    private void events(List<Event> mine, String dir, String what, String evidence, EventType... types) {
        List<Event> selected = mine.stream().filter(e -> java.util.Arrays.stream(types).anyMatch(t -> t.is(e))).toList();
        if (selected.isEmpty()) {
            gap(evidence, "no " + what + " is recorded");
        }
        int n = 0;
        for (Event e : selected) {
            put(String.format("%s/%02d-%s-%s.json", dir, ++n, e.type(), e.id().substring(0, 12)), GitLedger.document(e),
                    "the ledger's '" + e.type() + "' event (its event.json)", e);
        }
    }

    /** The exceptions that waived a finding in a recorded gate decision. */
    private void exceptions(List<Event> mine) {
        ArrayNode used = Json.mapper().createArrayNode();
        for (Event e : mine) {
            if (!EventType.GATE_EVALUATED.is(e)) {
                continue;
            }
            for (JsonNode f : e.payload().path("findings")) {
                String reason = f.path("reason").asText("");
                if (f.path("disposition").asText("").equalsIgnoreCase("waived") && reason.startsWith("waived by exception ")) {
                    used.addObject().put("exception", reason.substring("waived by exception ".length()))
                            .put("finding", f.path("id").asText()).put("gate", f.path("gate").asText()).put("event", e.id());
                }
            }
        }
        if (!used.isEmpty()) {
            put("exceptions/used.json", Json.pretty(used).getBytes(StandardCharsets.UTF_8),
                    "the exceptions that waived findings, from the gate decisions", null);
        }
    }

    private static Optional<Event> last(List<Event> events) {
        return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
    }

    private String markdown(ObjectNode index) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Evidence of ").append(index.path("release").asText()).append("\n\n");
        sb.append("- artifact digest: `").append(index.path("digest").asText("none")).append("`\n");
        sb.append("- ledger: ").append(index.path("ledger").path("location").asText()).append(", up to event `")
                .append(index.path("ledger").path("tip").asText()).append("` (").append(LEDGER).append(")\n");
        sb.append("- `").append(INDEX).append("` lists every file with its SHA-256 and is signed in `").append(SIGNATURE)
                .append("` (").append(index.path("signature").path("scheme").asText()).append(")\n\n");
        sb.append("Check it: `release-gate evidence verify BUNDLE --public-key KEY.pem`; the ledger with plain git: "
                + "`git bundle verify ledger/ledger.bundle` in any repository, `git clone ledger/ledger.bundle ledger && git -C ledger log`.\n\n");
        sb.append("## Missing evidence\n\n");
        if (missing.isEmpty()) {
            sb.append("None.\n");
        }
        for (JsonNode m : missing) {
            sb.append("- **").append(m.path("evidence").asText()).append("**: ").append(m.path("reason").asText()).append('\n');
        }
        sb.append("\n## Files\n\n| file | SHA-256 | what |\n|---|---|---|\n");
        for (String path : files.keySet().stream().sorted(Comparator.naturalOrder()).toList()) {
            sb.append("| `").append(path).append("` | `").append(Digester.of(files.get(path)).hex()).append("` | ")
                    .append(described.get(path).path("what").asText().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
