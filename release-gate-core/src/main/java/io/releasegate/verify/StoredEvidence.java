package io.releasegate.verify;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.RevokedKeys;
import io.releasegate.signing.SignatureCheckFailed;
import io.releasegate.signing.SigningCertificates;
import io.releasegate.signing.SigstoreBundle;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.store.StoredManifest;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The evidence of one artifact re-read from the store and checked again, for the decisions that rest on it
 * (promotion, verify-production): the ledger says what was verified, by whom and with which key; this checks that
 * the bytes in the store are still those. Each check returns its refusals (empty when intact):
 *
 * <ul>
 *   <li>{@link #artifact()}: the manifest and every blob it names, size and digest ({@code store.*} rules);</li>
 *   <li>{@link #signatures}: a recorded signature verifies over the manifest with the key (or certificate) the last
 *       {@code signature-verified} event names, made by a key not revoked by then ({@code signature.*});</li>
 *   <li>{@link #provenance}: the last recorded provenance, read back through its referrer, is a DSSE envelope whose
 *       signature verifies with the key the last {@code attestation-verified} event names and whose statement's subject
 *       is the artifact ({@code dsse.*}, {@code provenance.*});</li>
 *   <li>{@link #sboms}: every recorded SBOM, read back through its referrer, refers to the artifact and has the digest
 *       its (signed) {@code sbom-generated} event records ({@code sbom.*}).</li>
 * </ul>
 */
public final class StoredEvidence {

    /** Bundles and envelopes are small; anything larger is not one we stored. */
    private static final int MAX_DOCUMENT_BYTES = 16 << 20;
    /** The largest SBOM read back; generateSbom writes far smaller ones. */
    private static final int MAX_SBOM_BYTES = 512 << 20;
    private static final String REVERIFY = "verify the release again (verify --release / verifySignatures) with the release key";

    private final ArtifactStore store;
    private final String name;
    private final Digest digest;
    private final RevokedKeys revoked;

    public StoredEvidence(ArtifactStore store, String name, Digest digest) {
        this(store, name, digest, RevokedKeys.none());
    }

    /** With the trust configuration's revoked keys: a signature by a key revoked by its signing time is refused. */
    public StoredEvidence(ArtifactStore store, String name, Digest digest, RevokedKeys revoked) {
        this.store = Objects.requireNonNull(store);
        this.name = Objects.requireNonNull(name);
        this.digest = Objects.requireNonNull(digest);
        this.revoked = Objects.requireNonNull(revoked);
    }

    /** The refusal of a signature made at {@code s}'s time by a key revoked by then, if it was. */
    private List<Refusal> notRevoked(Event s, PublicKey key) {
        return revoked.at(ReleaseSignatures.fingerprint(key), s.time()).map(r -> List.of(new Refusal(RevokedKeys.RULE,
                "the signature of " + digest + " (event " + s.id() + ", " + s.time() + ") was made by key " + r.fingerprint()
                        + ", revoked since " + r.since() + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"),
                "sign the release again with a current key and verify it with that key's public key"))).orElse(List.of());
    }

    /**
     * The checks for evidence an environment requires ({@code signatures}, {@code sbom}, {@code provenance}; the
     * artifact always), in that order, all run: every refusal is reported.
     */
    public List<Refusal> check(List<String> requires, List<Event> events) {
        List<Refusal> refusals = new ArrayList<>(artifact());
        if (requires.contains("signatures")) {
            refusals.addAll(signatures(events));
        }
        if (requires.contains("sbom")) {
            refusals.addAll(sboms(events));
        }
        if (requires.contains("provenance")) {
            refusals.addAll(provenance(events));
        }
        return refusals;
    }

    /** {@link #check}, refusing when anything failed. */
    public void require(List<String> requires, List<Event> events) {
        List<Refusal> refusals = check(requires, events);
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
    }

    /** The artifact's manifest and every blob it names, read in full. */
    public List<Refusal> artifact() {
        return ContentVerifier.artifact(store, name, digest);
    }

    /** A recorded signature of the manifest verifies with the key or certificate of the last successful verification. */
    public List<Refusal> signatures(List<Event> events) {
        Optional<Event> last = latest(events, EventType.SIGNATURE_VERIFIED.wire(), EventType.SIGNATURE_FAILED.wire());
        if (last.isEmpty() || !EventType.SIGNATURE_VERIFIED.is(last.get())) {
            return List.of(new Refusal("signature.unverified", "no verified signature of " + digest
                    + last.map(e -> " (the last verification, " + e.id() + ", failed)").orElse(""), REVERIFY));
        }
        Event verified = last.get();
        byte[] manifest;
        try {
            manifest = manifest();
        } catch (RefusedException e) {
            return e.refusals();
        }
        List<Event> signed = events.stream().filter(e -> EventType.SIGNED.is(e) && e.digest().equals(Optional.of(digest))).toList();
        String pem = verified.text("publicKey").orElse("");
        String certificate = verified.text("certificate").orElse("");
        if (!pem.isEmpty()) {
            PublicKey key = KeySigner.publicKey(pem, "the public key of event " + verified.id());
            if (!verified.text("keyFingerprint").orElse("").equals(ReleaseSignatures.fingerprint(key))) {
                return List.of(new Refusal("signature.key", "event " + verified.id() + " names key "
                        + verified.text("keyFingerprint").orElse("?") + " but records another", REVERIFY));
            }
            for (Event s : signed) {
                byte[] sig = base64(s.text("signature").orElse(""));
                if (sig.length > 0 && KeySigner.verify(key, manifest, sig)) {
                    return notRevoked(s, key);
                }
            }
            return List.of(new Refusal("signature.mismatch", "no recorded signature of " + digest + " verifies over the stored "
                    + "manifest with key " + ReleaseSignatures.fingerprint(key) + " (verified in event " + verified.id() + ")", REVERIFY));
        }
        if (!certificate.isEmpty()) {
            X509Certificate cert = SigningCertificates.parsePem(certificate, "the certificate of event " + verified.id()).get(0);
            String reference = verified.text("reference").orElse("");
            for (Event s : signed) {
                if (!s.text("reference").orElse("").equals(reference) || s.text("bundleDigest").isEmpty()) {
                    continue;
                }
                byte[] document;
                try {
                    document = ContentVerifier.referrerDocument(store, reference, digest,
                            Digest.parse(s.text("bundleDigest").orElseThrow()), MAX_DOCUMENT_BYTES);
                } catch (RefusedException e) {
                    return e.refusals();
                }
                SigstoreBundle.Contents c;
                try {
                    c = SigstoreBundle.parse(document, reference);
                } catch (SignatureCheckFailed e) {
                    return List.of(refusal(e));
                } catch (InputException e) {
                    return List.of(new Refusal("bundle.unreadable", e.getMessage(), REVERIFY));
                }
                if (!c.certificate().equals(cert)) {
                    return List.of(new Refusal("signature.certificate", "the bundle " + reference + " holds another certificate "
                            + "than the one verified in event " + verified.id(), REVERIFY));
                }
                if (KeySigner.verifyDigest(cert.getPublicKey(), sha256(manifest), c.signature())) {
                    return notRevoked(s, cert.getPublicKey());
                }
                return List.of(new Refusal("signature.mismatch", "the signature in bundle " + reference + " does not verify over the "
                        + "stored manifest " + digest + " with the certificate verified in event " + verified.id(), REVERIFY));
            }
            return List.of(new Refusal("signature.missing", "no signed event of " + digest + " names the bundle " + reference
                    + " verified in event " + verified.id(), REVERIFY));
        }
        return List.of(new Refusal("signature.unrecorded-key", "the verification " + verified.id() + " of " + digest
                + " records neither the public key nor the certificate that verified", REVERIFY));
    }

    /** The last recorded provenance verifies, from the store, with the key of the last successful verification of it. */
    public List<Refusal> provenance(List<Event> events) {
        Optional<Event> recorded = latest(events, EventType.PROVENANCE_GENERATED.wire());
        if (recorded.isEmpty() || recorded.get().text("reference").isEmpty() || recorded.get().text("attestationDigest").isEmpty()) {
            return List.of(new Refusal("provenance.missing", "no stored provenance is recorded for " + digest,
                    "generate and sign the provenance"));
        }
        Optional<Event> last = latest(events, EventType.ATTESTATION_VERIFIED.wire(), EventType.ATTESTATION_FAILED.wire());
        if (last.isEmpty() || !EventType.ATTESTATION_VERIFIED.is(last.get()) || last.get().text("publicKey").isEmpty()) {
            return List.of(new Refusal("provenance.unverified", "no verification of the provenance of " + digest + " recorded the "
                    + "key it verified with" + last.filter(e -> EventType.ATTESTATION_FAILED.is(e))
                    .map(e -> " (the last one, " + e.id() + ", failed)").orElse(""), REVERIFY));
        }
        PublicKey key = KeySigner.publicKey(last.get().text("publicKey").orElseThrow(), "the public key of event " + last.get().id());
        String reference = recorded.get().text("reference").orElseThrow();
        try {
            byte[] document = ContentVerifier.referrerDocument(store, reference, digest,
                    parse(recorded.get().text("attestationDigest").orElseThrow(), recorded.get()), MAX_DOCUMENT_BYTES);
            JsonNode envelope;
            try {
                envelope = Json.mapper().readTree(document);
            } catch (IOException e) {
                return List.of(new Refusal("provenance.unreadable", "the attestation " + reference + " is not JSON", REVERIFY));
            }
            Provenance.verify(envelope, key, digest);
            return List.of();
        } catch (RefusedException e) {
            return e.refusals();
        } catch (SignatureCheckFailed e) {
            return List.of(new Refusal(e.check(), "the attestation " + reference + ": " + e.getMessage().substring(e.check().length() + 2),
                    REVERIFY));
        } catch (InputException e) {
            return List.of(new Refusal("provenance.unreadable", "the attestation " + reference + ": " + e.getMessage(), REVERIFY));
        }
    }

    /** Every recorded SBOM of the artifact, read back through its referrer, has the digest its event records. */
    public List<Refusal> sboms(List<Event> events) {
        List<Event> recorded = events.stream().filter(e -> e.type().equals(GenerateSbom.EVENT_TYPE)
                && e.digest().equals(Optional.of(digest))).toList();
        if (recorded.isEmpty()) {
            return List.of(new Refusal("sbom.missing", "no SBOM is recorded for " + digest, "generate the SBOM (generateSbom)"));
        }
        List<Refusal> refusals = new ArrayList<>();
        for (Event e : recorded) {
            Optional<String> reference = e.text("reference");
            Optional<String> sbomDigest = e.text("sbomDigest");
            if (reference.isEmpty() || sbomDigest.isEmpty()) {
                refusals.add(new Refusal("sbom.unrecorded", "event " + e.id() + " records no stored SBOM (reference and sbomDigest)",
                        "generate the SBOM again (generateSbom)"));
                continue;
            }
            try {
                ContentVerifier.referrerDocument(store, reference.get(), digest, parse(sbomDigest.get(), e), MAX_SBOM_BYTES);
            } catch (RefusedException r) {
                refusals.addAll(r.refusals());
            }
        }
        return refusals;
    }

    private byte[] manifest() {
        StoredManifest m = store.fetchManifest(name, digest.toString()).orElseThrow(() -> new RefusedException(new Refusal(
                ContentVerifier.MANIFEST_MISSING, "store " + store.location() + " has no manifest " + digest + " for " + name,
                "restore it from a trusted copy, or build and release a new version")));
        return m.bytes();
    }

    private Optional<Event> latest(List<Event> events, String... types) {
        List<String> wanted = List.of(types);
        Optional<Event> last = Optional.empty();
        for (Event e : events) {
            if (wanted.contains(e.type()) && e.digest().equals(Optional.of(digest))) {
                last = Optional.of(e);
            }
        }
        return last;
    }

    private static Digest parse(String value, Event e) {
        try {
            return Digest.parse(value);
        } catch (IllegalArgumentException x) {
            throw new RefusedException(new Refusal(ContentVerifier.REFERRER_DOCUMENT, "event " + e.id() + " records an invalid digest: "
                    + x.getMessage(), REVERIFY));
        }
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static Refusal refusal(SignatureCheckFailed e) {
        return new Refusal(e.check(), e.getMessage().substring(e.check().length() + 2), REVERIFY);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
