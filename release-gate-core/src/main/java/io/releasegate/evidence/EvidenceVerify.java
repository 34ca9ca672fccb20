package io.releasegate.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digester;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.signing.Dsse;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.SignatureCheckFailed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportBundleStream;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Checks an evidence bundle offline, failing closed and naming the file of each failure: the archive's canonical
 * form ({@value EvidenceArchive#RULE}), the index's signature with the release key's public key
 * ({@code evidence.index-signature}), every file against the index's SHA-256 and size and no file unlisted
 * ({@code evidence.digest}, {@code evidence.unlisted}, {@code evidence.missing-file}), the ledger bundle's chain of
 * commits up to the index's tip ({@code evidence.ledger}), every event file against its commit's {@code event.json} and
 * the release record against its projection of those events ({@code evidence.record}), and the artifact's documents
 * against the digests the events record ({@code evidence.document}).
 */
public final class EvidenceVerify {

    private static final String REMEDY = "obtain the bundle again from whoever exported it; a bundle that was altered proves nothing";

    private EvidenceVerify() {
    }

    /** What was checked, for the report. */
    public record Verified(ObjectNode index, List<String> checks, List<String> notes) {
        public Verified {
            checks = List.copyOf(checks);
            notes = List.copyOf(notes);
        }
    }

    public static Verified verify(byte[] archive, PublicKey key) {
        List<String> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<EvidenceArchive.Entry> entries = EvidenceArchive.read(archive);
        checks.add("archive: " + entries.size() + " entries in canonical form");
        Map<String, byte[]> files = new LinkedHashMap<>();
        entries.forEach(e -> files.put(e.path(), e.bytes()));
        byte[] indexBytes = require(files, EvidenceExport.INDEX);
        byte[] sigBytes = require(files, EvidenceExport.SIGNATURE);
        ObjectNode index;
        try {
            JsonNode n = Json.mapper().readTree(indexBytes);
            if (!(n instanceof ObjectNode o) || !EvidenceExport.SCHEMA.equals(o.path("schema").asText())) {
                throw refused("evidence.index", EvidenceExport.INDEX + " is not an evidence index (" + EvidenceExport.SCHEMA + ")");
            }
            index = o;
        } catch (IOException e) {
            throw refused("evidence.index", EvidenceExport.INDEX + " is not JSON: " + e.getMessage());
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(sigBytes);
        } catch (IllegalArgumentException e) {
            throw refused("evidence.index-signature", EvidenceExport.SIGNATURE + " is not base64: " + e.getMessage());
        }
        if (!KeySigner.verify(key, indexBytes, sig)) {
            throw refused("evidence.index-signature", "the signature " + EvidenceExport.SIGNATURE + " does not verify over "
                    + EvidenceExport.INDEX + " with key " + ReleaseSignatures.fingerprint(key)
                    + " (one of the two was altered, or the bundle was signed with another key)");
        }
        checks.add("index: signed by key " + ReleaseSignatures.fingerprint(key));

        List<Refusal> refusals = new ArrayList<>();
        Set<String> listed = new HashSet<>(List.of(EvidenceExport.INDEX, EvidenceExport.SIGNATURE));
        Map<String, String> eventOf = new LinkedHashMap<>();
        for (JsonNode f : index.path("files")) {
            String path = f.path("path").asText();
            listed.add(path);
            byte[] content = files.get(path);
            if (content == null) {
                refusals.add(new Refusal("evidence.missing-file", "the index lists " + path + " but the bundle does not hold it", REMEDY));
                continue;
            }
            if (!Digester.of(content).hex().equals(f.path("sha256").asText()) || content.length != f.path("size").asLong(-1)) {
                refusals.add(new Refusal("evidence.digest", path + " is not the file the index lists: sha256 "
                        + Digester.of(content).hex() + " (" + content.length + " bytes), the index says " + f.path("sha256").asText()
                        + " (" + f.path("size").asText() + " bytes)", REMEDY));
            }
            if (f.hasNonNull("event")) {
                eventOf.put(path, f.path("event").asText());
            }
        }
        for (String path : files.keySet()) {
            if (!listed.contains(path)) {
                refusals.add(new Refusal("evidence.unlisted", path + " is in the bundle but not in the signed index", REMEDY));
            }
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        checks.add("files: " + (files.size() - 2) + " match the index's SHA-256");

        JsonNode ledger = index.path("ledger");
        List<Event> chain = chain(require(files, EvidenceExport.LEDGER), ledger.path("tip").asText());
        checks.add("ledger: " + chain.size() + " commits chained from the root to " + ledger.path("tip").asText());
        Map<String, Event> byId = new LinkedHashMap<>();
        chain.forEach(e -> byId.put(e.id(), e));
        String release = index.path("release").asText();
        for (JsonNode id : ledger.path("events")) {
            Event e = byId.get(id.asText());
            if (e == null || !e.subject().equals(release)) {
                refusals.add(new Refusal("evidence.ledger", "the index names event " + id.asText() + " of " + release
                        + " but " + EvidenceExport.LEDGER + " holds no such event of it", REMEDY));
            }
        }
        for (Map.Entry<String, String> fe : eventOf.entrySet()) {
            Event e = byId.get(fe.getValue());
            if (e == null || !e.subject().equals(release)) {
                refusals.add(new Refusal("evidence.ledger", fe.getKey() + " names event " + fe.getValue() + ", which "
                        + EvidenceExport.LEDGER + " does not hold for " + release, REMEDY));
                continue;
            }
            String path = fe.getKey();
            byte[] content = files.get(path);
            if (path.endsWith("-" + e.type() + "-" + e.id().substring(0, 12) + ".json") && !Arrays.equals(content, GitLedger.document(e))) {
                refusals.add(new Refusal("evidence.record", path + " is not the event.json of commit " + e.id(), REMEDY));
            }
            documents(path, content, e, refusals, notes, key);
        }
        Set<String> excluded = new HashSet<>();
        ledger.path("excluded").forEach(x -> excluded.add(x.asText()));
        List<Event> believed = chain.stream().filter(e -> !excluded.contains(e.id())).toList();
        byte[] record = files.get(EvidenceExport.RECORD);
        if (record != null) {
            Optional<ReleaseRecord> projected = ReleaseRecordProjection.project(index.path("name").asText(),
                    index.path("version").asText(), believed, ledger.path("location").asText(), Optional.of(ledger.path("tip").asText()));
            String expected = projected.map(r -> new ReleaseRecords().write(r)).orElse("");
            if (!expected.equals(new String(record, StandardCharsets.UTF_8))) {
                refusals.add(new Refusal("evidence.record", EvidenceExport.RECORD + " is not the projection of the events in "
                        + EvidenceExport.LEDGER, REMEDY));
            } else {
                checks.add("record: the projection of the ledger bundle's events");
            }
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        checks.add("events: every event file is its commit's event.json; every document has its recorded digest");
        return new Verified(index, checks, notes);
    }

    /** The documents' digests against their events, and what the key verifies of them. */
    private static void documents(String path, byte[] content, Event e, List<Refusal> refusals, List<String> notes, PublicKey key) {
        String sha = "sha256:" + Digester.of(content).hex();
        Optional<String> expected = path.equals(EvidenceExport.MANIFEST) ? e.digest().map(Object::toString)
                : path.startsWith("sbom/") ? e.text("sbomDigest")
                : path.equals(EvidenceExport.PROVENANCE) ? e.text("attestationDigest")
                : path.endsWith(".sigstore.json") ? e.text("bundleDigest") : Optional.empty();
        if (expected.isPresent() && !expected.get().equals(sha)) {
            refusals.add(new Refusal("evidence.document", path + " has digest " + sha + " but event " + e.id() + " records "
                    + expected.get(), REMEDY));
        }
        if (path.equals(EvidenceExport.PROVENANCE)) {
            try {
                Dsse.verify(Json.mapper().readTree(content), Dsse.IN_TOTO, key);
                notes.add(path + ": the DSSE envelope verifies with the index's key");
            } catch (SignatureCheckFailed | ReleaseGateException | IOException x) {
                notes.add(path + ": not signed with the index's key (" + x.getMessage() + ")");
            }
        }
    }

    /** The events of the ledger bundle, oldest first, each commit the only parent of the next up to {@code tip}. */
    private static List<Event> chain(byte[] bundle, String tip) {
        String where = EvidenceExport.LEDGER;
        try (InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("evidence"))) {
            try (Transport t = new TransportBundleStream(repo, new URIish("evidence:" + where), new ByteArrayInputStream(bundle))) {
                t.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+refs/heads/*:refs/heads/*")));
            }
            Ref main = repo.exactRef(GitLedger.BRANCH);
            if (main == null || !main.getObjectId().name().equals(tip)) {
                throw refused("evidence.ledger", where + " does not name the index's tip " + tip + " as " + GitLedger.BRANCH);
            }
            List<Event> out = new ArrayList<>();
            try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
                RevCommit c = walk.parseCommit(main.getObjectId());
                while (true) {
                    if (c.getParentCount() > 1) {
                        throw refused("evidence.ledger", where + ": commit " + c.name() + " is a merge; a ledger is one chain");
                    }
                    try (TreeWalk tw = TreeWalk.forPath(reader, "event.json", c.getTree())) {
                        if (tw == null) {
                            throw refused("evidence.ledger", where + ": commit " + c.name() + " holds no event.json");
                        }
                        out.add(GitLedger.event(reader.open(tw.getObjectId(0), Constants.OBJ_BLOB).getBytes(), c.name(), where));
                    }
                    if (c.getParentCount() == 0) {
                        break;
                    }
                    c = walk.parseCommit(c.getParent(0));
                }
            }
            Collections.reverse(out);
            return out;
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            if (e instanceof RefusedException r) {
                throw r;
            }
            throw refused("evidence.ledger", where + " is not a git bundle holding the ledger's chain: " + e.getMessage());
        }
    }

    private static byte[] require(Map<String, byte[]> files, String path) {
        byte[] b = files.get(path);
        if (b == null) {
            throw refused("evidence.missing-file", "the bundle holds no " + path);
        }
        return b;
    }

    private static RefusedException refused(String rule, String evidence) {
        return new RefusedException(new Refusal(rule, evidence, REMEDY));
    }
}
