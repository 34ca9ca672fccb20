package io.releasegate.verify;

import io.releasegate.ledger.EventType;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.signing.CertificateVerifier;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.TrustRoot;
import io.releasegate.store.ArtifactStore;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code verify --release} and the pipeline's verifySignatures: the release's signatures (with a public key, or a
 * certificate for an identity under a trust root) and its stored provenance, read back from the store and verified
 * with the same key (in certificate mode, the key of the certificate that verified). Each outcome is recorded
 * ({@code signature-verified}/{@code signature-failed}, {@code attestation-verified}/{@code attestation-failed}); the
 * first that fails is a refusal. The artifact's blobs are re-read against its manifest with the signature, and every
 * recorded SBOM is re-read through its referrer against the digest its event records.
 */
public final class VerifyRelease {

    /** What verified: the signature event and, when there was provenance to verify, the provenance event. */
    public record Result(Event signature, Optional<Event> provenance) {
    }

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Optional<PublicKey> key = Optional.empty();
    private Optional<CertificateVerifier.Policy> certificatePolicy = Optional.empty();
    private Optional<TrustRoot> trustRoot = Optional.empty();
    private Optional<PublicKey> provenanceKey = Optional.empty();
    private boolean requireProvenance;
    private String actor = "ci";
    private Clock clock = Clock.systemUTC();

    public VerifyRelease(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public VerifyRelease release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    /** Key mode: the release's signatures and its provenance verify with this public key. */
    public VerifyRelease key(PublicKey value) {
        this.key = Optional.of(value);
        return this;
    }

    /** Certificate mode: a stored bundle verifies for this identity policy under this trust root. */
    public VerifyRelease certificate(CertificateVerifier.Policy policy, TrustRoot root) {
        this.certificatePolicy = Optional.of(policy);
        this.trustRoot = Optional.of(root);
        return this;
    }

    /** The key the provenance verifies with, when it is not the one that verified the signatures. */
    public VerifyRelease provenanceKey(PublicKey value) {
        this.provenanceKey = Optional.of(value);
        return this;
    }

    /** Refuse a release without stored provenance (the pipeline does); otherwise provenance is verified when recorded. */
    public VerifyRelease requireProvenance(boolean value) {
        this.requireProvenance = value;
        return this;
    }

    public VerifyRelease actor(String value) {
        this.actor = Objects.requireNonNull(value);
        return this;
    }

    public VerifyRelease clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null) {
            throw new InputException("verifying a release needs its name and version");
        }
        if (key.isPresent() == certificatePolicy.isPresent()) {
            throw new InputException("verify a release either with a public key or with a certificate identity and trust root");
        }
        Event signature;
        PublicKey releaseKey;
        if (key.isPresent()) {
            signature = ReleaseSignatures.verify(store, ledger, name, version, key.get(), actor, clock);
            releaseKey = key.get();
        } else {
            signature = ReleaseSignatures.verifyWithCertificate(store, ledger, name, version, certificatePolicy.get(),
                    trustRoot.orElseThrow(), actor, clock);
            releaseKey = ReleaseSignatures.verifiedCertificate(signature).getPublicKey();
        }
        Optional<Event> provenance = Optional.empty();
        boolean recorded = ledger.events(name + "@" + version).stream().anyMatch(e -> EventType.PROVENANCE_GENERATED.is(e));
        if (requireProvenance || recorded) {
            provenance = Optional.of(Provenance.verifyStored(store, ledger, name, version, provenanceKey.orElse(releaseKey), actor,
                    clock));
        }
        // the SBOMs recorded for the artifact are still the documents the (signed) events name
        Digest digest = signature.digest().orElseThrow();
        List<Event> events = ledger.events(name + "@" + version);
        if (events.stream().anyMatch(e -> e.type().equals(GenerateSbom.EVENT_TYPE) && e.digest().equals(Optional.of(digest)))) {
            new StoredEvidence(store, name, digest).require(List.of("sbom"), events);
        }
        return new Result(signature, provenance);
    }
}
