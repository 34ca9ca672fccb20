package io.releasegate.provenance;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.error.InputException;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.Referrers;
import io.releasegate.store.StoredManifest;
import io.releasegate.signing.Dsse;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.SignatureCheckFailed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * SLSA Provenance v1 in an in-toto Statement v1, wrapped in a signed DSSE envelope. Subjects are the
 * artifact (its manifest digest) and every file of it; the build type is
 * {@value #BUILD_TYPE} (documented in docs/provenance.md).
 */
public final class Provenance {

    public static final String STATEMENT = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE = "https://slsa.dev/provenance/v1";
    public static final String BUILD_TYPE = "https://releasegate.io/buildtypes/golden-pipeline/v1";

    /** What the pipeline knows about the build. */
    public record Build(String repository, String ref, String jenkinsfile, String libraryName, String libraryVersion,
                        Optional<String> libraryCommit, String builderId, String invocationId, Instant startedOn,
                        Instant finishedOn) {
    }

    private Provenance() {
    }

    /** The statement for the built release, as JSON. */
    public static ObjectNode statement(Event built, String name, Build b) {
        ObjectNode st = Json.object();
        st.put("_type", STATEMENT);
        ArrayNode subjects = st.putArray("subject");
        subjects.addObject().put("name", name).putObject("digest").put("sha256", built.digest().orElseThrow().hex());
        for (JsonNode s : built.payload().path("subjects")) {
            subjects.addObject().put("name", s.path("name").asText()).putObject("digest")
                    .put("sha256", Digest.parse(s.path("digest").asText()).hex());
        }
        st.put("predicateType", PREDICATE);
        ObjectNode pred = st.putObject("predicate");
        ObjectNode def = pred.putObject("buildDefinition");
        def.put("buildType", BUILD_TYPE);
        ObjectNode ext = def.putObject("externalParameters");
        ext.put("repository", b.repository()).put("ref", b.ref()).put("jenkinsfile", b.jenkinsfile());
        ext.putObject("library").put("name", b.libraryName()).put("version", b.libraryVersion());
        def.putObject("internalParameters").put("releaseGateVersion", "1");
        ArrayNode deps = def.putArray("resolvedDependencies");
        built.text("commit").ifPresent(c -> deps.addObject().put("uri", "git+" + b.repository() + "@" + b.ref())
                .putObject("digest").put("gitCommit", c));
        b.libraryCommit().ifPresent(c -> deps.addObject().put("uri", "git+library:" + b.libraryName() + "@" + b.libraryVersion())
                .putObject("digest").put("gitCommit", c));
        ObjectNode run = pred.putObject("runDetails");
        run.putObject("builder").put("id", b.builderId());
        run.putObject("metadata").put("invocationId", b.invocationId()).put("startedOn", b.startedOn().toString())
                .put("finishedOn", b.finishedOn().toString());
        return st;
    }

    /** The artifact type of a DSSE envelope stored as an OCI referrer (as cosign and the Sigstore bundle spec name it). */
    public static final String DSSE_ARTIFACT_TYPE = "application/vnd.dsse.envelope.v1+json";

    /**
     * Builds and signs the provenance, stores the DSSE envelope as an attestation referring to the release's
     * manifest, and records it; returns the envelope.
     */
    public static ObjectNode generate(ArtifactStore store, Ledger ledger, String name, String version, Build b, KeySigner signer,
                                      String keyId, String actor, Clock clock) {
        String subject = name + "@" + version;
        Event built = ledger.events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("provenance.unknown-release",
                        "the ledger has no 'built' event for " + subject, "build it first")));
        byte[] payload = Json.bytes(statement(built, name, b));
        ObjectNode envelope = Dsse.sign(Dsse.IN_TOTO, payload, signer, keyId);
        byte[] document = Json.pretty(envelope).getBytes(StandardCharsets.UTF_8);
        Digest artifact = built.digest().orElseThrow();
        StoredManifest manifest = store.fetchManifest(name, artifact.toString())
                .orElseThrow(() -> new InputException("store " + store.location() + " has no manifest " + artifact));
        Referrers.Stored stored = Referrers.push(store, name, manifest, DSSE_ARTIFACT_TYPE, "provenance.intoto.dsse.json", document);
        ledger.append(Event.draft(EventType.PROVENANCE_GENERATED.wire(), subject, built.digest(), actor, clock.instant(),
                Json.object().put("predicateType", PREDICATE).put("attestationDigest", stored.document().toString())
                        .put("reference", stored.reference()).put("libraryName", b.libraryName())
                        .put("libraryVersion", b.libraryVersion())));
        return envelope;
    }

    /** Verifies an envelope: signature, payload type, statement and predicate types, and that a subject is the artifact. */
    public static JsonNode verify(JsonNode envelope, PublicKey key, Digest artifact) {
        byte[] payload = Dsse.verify(envelope, Dsse.IN_TOTO, key);
        JsonNode st;
        try {
            st = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw new SignatureCheckFailed("provenance.statement", "the signed payload is not JSON");
        }
        if (!STATEMENT.equals(st.path("_type").asText())) {
            throw new SignatureCheckFailed("provenance.statement", "not an in-toto Statement v1: " + st.path("_type").asText());
        }
        if (!PREDICATE.equals(st.path("predicateType").asText())) {
            throw new SignatureCheckFailed("provenance.predicate", "predicate type is " + st.path("predicateType").asText());
        }
        for (JsonNode s : st.path("subject")) {
            if (artifact.hex().equals(s.path("digest").path("sha256").asText())) {
                return st;
            }
        }
        throw new SignatureCheckFailed("dsse.subject", "no subject of the statement is " + artifact);
    }

    /**
     * Verifies the release's stored provenance: the attestation recorded for the built digest is read back from
     * the store by digest (so a swapped or altered document is caught), its referrer must name the release's
     * manifest, and the envelope must verify with {@code key} for that digest. Records
     * {@code attestation-verified} or {@code attestation-failed}; throws a refusal when it fails.
     */
    public static Event verifyStored(ArtifactStore store, Ledger ledger, String name, String version, PublicKey key, String actor,
                                     Clock clock) {
        String subject = name + "@" + version;
        java.util.List<Event> events = ledger.events(subject);
        Event built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("provenance.unknown-release",
                        "the ledger has no 'built' event for " + subject, "build it first")));
        Digest artifact = built.digest().orElseThrow();
        Optional<Event> recorded = events.stream().filter(e -> EventType.PROVENANCE_GENERATED.is(e)
                && e.digest().equals(Optional.of(artifact)) && e.payload().hasNonNull("reference")).reduce((a, b) -> b);
        String reason = null;
        if (recorded.isEmpty()) {
            reason = "provenance.missing: no stored provenance for " + subject + " (" + artifact + ")";
        } else {
            try {
                reason = checkStored(store, name, artifact, recorded.get(), key);
            } catch (SignatureCheckFailed e) {
                reason = e.getMessage();
            } catch (RefusedException e) {
                // the store's bytes are not those the ledger names
                reason = e.refusals().get(0).rule() + ": " + e.refusals().get(0).evidence();
            }
        }
        ObjectNode p = Json.object().put("target", "provenance of " + artifact).put("keyFingerprint",
                io.releasegate.signing.ReleaseSignatures.fingerprint(key));
        recorded.ifPresent(r -> p.put("reference", r.payload().path("reference").asText()));
        if (reason != null) {
            p.put("reason", reason);
        } else {
            // the key that verified, so that promotion and verify-production can check the envelope again
            p.put("publicKey", io.releasegate.signing.KeySigner.pem(key));
        }
        Event e = ledger.append(Event.draft(reason == null ? EventType.ATTESTATION_VERIFIED.wire() : EventType.ATTESTATION_FAILED.wire(), subject,
                Optional.of(artifact), actor, clock.instant(), p));
        if (reason != null) {
            int colon = reason.indexOf(':');
            throw new RefusedException(new Refusal(colon > 0 ? reason.substring(0, colon) : "provenance.invalid",
                    colon > 0 ? reason.substring(colon + 2) : reason, "generate the provenance of the built digest with the release key"));
        }
        return e;
    }

    private static String checkStored(ArtifactStore store, String name, Digest artifact, Event recorded, PublicKey key) {
        String reference = recorded.payload().path("reference").asText();
        Digest expected = Digest.parse(recorded.payload().path("attestationDigest").asText());
        Optional<StoredManifest> m = store.fetchManifest(name, reference.substring(reference.indexOf('@') + 1));
        if (m.isEmpty()) {
            return "provenance.missing: the attestation " + reference + " is not in store " + store.location();
        }
        try {
            JsonNode referrer = Json.mapper().readTree(m.get().bytes());
            if (!artifact.toString().equals(referrer.path("subject").path("digest").asText())) {
                return "provenance.subject: the attestation " + reference + " refers to " + referrer.path("subject").path("digest").asText()
                        + ", not to " + artifact;
            }
            Digest layer = Digest.parse(referrer.path("layers").path(0).path("digest").asText());
            if (!layer.equals(expected)) {
                return "provenance.digest: the attestation's document is " + layer + ", not the recorded " + expected;
            }
            byte[] document;
            try (var in = store.openBlob(name, layer)) {
                document = in.readNBytes(16 << 20);
            }
            if (!Digester.of(document).equals(expected)) {
                return "provenance.digest: the stored document does not match its digest " + expected;
            }
            try {
                verify(Json.mapper().readTree(document), key, artifact);
            } catch (SignatureCheckFailed e) {
                throw new SignatureCheckFailed(e.check(), "the attestation " + reference + ": "
                        + e.getMessage().substring(e.check().length() + 2));
            }
            return null;
        } catch (IOException | IllegalArgumentException | InputException e) {
            return "provenance.unreadable: cannot read the attestation " + reference + ": " + e.getMessage();
        }
    }
}
