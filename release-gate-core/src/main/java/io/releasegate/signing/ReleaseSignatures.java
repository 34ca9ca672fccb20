package io.releasegate.signing;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.JsonNode;
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
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.store.OciNames;
import io.releasegate.store.Referrers;
import io.releasegate.store.StoredManifest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Signatures of a release's artifact: the signature covers the artifact manifest's exact bytes (so it
 * covers every file by digest), is recorded in the ledger ({@code signed}), and is verified against a
 * public key ({@code signature-verified} or {@code signature-failed}, fail closed: no signature, another
 * digest, tampered bytes and a wrong key all fail, each with its reason).
 */
public final class ReleaseSignatures {

    private ReleaseSignatures() {
    }

    /** SHA-256 fingerprint of a public key's SubjectPublicKeyInfo, hex ({@link KeyFiles#fingerprint}). */
    public static String fingerprint(PublicKey key) {
        return KeyFiles.fingerprint(key);
    }

    /** The fingerprint of the key that made a {@code signed} event's signature: recorded (key mode) or its certificate's. */
    public static Optional<String> keyFingerprint(Event signed) {
        Optional<String> recorded = signed.text("keyFingerprint");
        if (recorded.isPresent()) {
            return recorded;
        }
        return signed.text("certificate").map(pem -> fingerprint(SigningCertificates.parsePem(pem, "the certificate of event "
                + signed.id()).get(0).getPublicKey()));
    }

    public static Event sign(ArtifactStore store, Ledger ledger, String name, String version, KeySigner signer,
                             PublicKey publicKey, String actor, Clock clock) {
        Event built = built(ledger, name, version);
        StoredManifest m = manifest(store, name, version, built.digest().orElseThrow());
        byte[] sig = signer.sign(m.bytes());
        if (!KeySigner.verify(publicKey, m.bytes(), sig)) {
            throw new InputException("the public key given does not belong to the signing key");
        }
        ObjectNode p = Json.object().put("target", name + ":" + OciNames.tagForVersion(version))
                .put("signature", Base64.getEncoder().encodeToString(sig)).put("keyFingerprint", fingerprint(publicKey));
        return ledger.append(Event.draft(EventType.SIGNED.wire(), name + "@" + version, built.digest(), actor, clock.instant(), p));
    }

    /** Verifies the recorded signatures of the release against {@code key}; records the outcome; throws when it fails. */
    public static Event verify(ArtifactStore store, Ledger ledger, String name, String version, PublicKey key, String actor,
                               Clock clock) {
        String subject = name + "@" + version;
        Event built = built(ledger, name, version);
        Digest digest = built.digest().orElseThrow();
        List<Event> signed = ledger.events(subject).stream().filter(e -> EventType.SIGNED.is(e) && e.digest().equals(Optional.of(digest))).toList();
        Tagged tagged = tagged(store, name, version);
        StoredManifest m = tagged.manifest();
        Optional<String> reason = tagged.problem().or(() -> artifactProblem(store, name, version, m, digest));
        if (reason.isEmpty() && signed.isEmpty()) {
            reason = Optional.of("signature.missing: " + subject + " (" + digest + ") was never signed");
        } else if (reason.isEmpty()) {
            boolean any = false;
            for (Event s : signed) {
                byte[] sig;
                try {
                    sig = Base64.getDecoder().decode(s.text("signature").orElse(""));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                any |= KeySigner.verify(key, m.bytes(), sig);
            }
            if (!any) {
                reason = Optional.of("signature.mismatch: no signature of " + digest + " verifies with key " + fingerprint(key));
            }
        }
        ObjectNode p = Json.object().put("target", name + ":" + OciNames.tagForVersion(version)).put("keyFingerprint", fingerprint(key));
        if (reason.isEmpty()) {
            // the key that verified, so that promotion and verify-production can check the signature again
            p.put("publicKey", KeySigner.pem(key));
        }
        return recordOutcome(ledger, subject, digest, p, reason,
                "sign exactly the built artifact with the release key, and verify with its public key", actor, clock);
    }

    /** The manifest tagged for the version (null when absent), or why its bytes cannot be believed. */
    private record Tagged(StoredManifest manifest, Optional<String> problem) {
    }

    private static Tagged tagged(ArtifactStore store, String name, String version) {
        try {
            return new Tagged(store.fetchManifest(name, OciNames.tagForVersion(version)).orElse(null), Optional.empty());
        } catch (RefusedException e) {
            Refusal r = e.refusals().get(0);
            return new Tagged(null, Optional.of(r.rule() + ": " + r.evidence()));
        }
    }

    private static Optional<String> artifactProblem(ArtifactStore store, String name, String version, StoredManifest m, Digest digest) {
        if (m == null) {
            return Optional.of("signature.artifact-missing: " + name + ":" + version + " is not in store " + store.location());
        }
        if (!Digester.of(m.bytes()).equals(digest)) {
            return Optional.of("signature.digest: the store's " + name + ":" + version + " is " + Digester.of(m.bytes())
                    + ", not the built " + digest);
        }
        // the signature covers the manifest; the manifest covers the files only if they are still the bytes it names
        List<Refusal> damaged = ContentVerifier.artifact(store, name, digest);
        if (!damaged.isEmpty()) {
            return Optional.of(damaged.get(0).rule() + ": " + damaged.get(0).evidence());
        }
        return Optional.empty();
    }

    /** Title of the bundle layer when a release signature's bundle is stored as a referrer. */
    public static final String BUNDLE_TITLE = "signature.sigstore.json";

    /**
     * Signs the release's artifact (its manifest bytes) with a certificate: the Sigstore bundle is stored as an OCI
     * referrer of the manifest (artifact type {@value SigstoreBundle#MEDIA_TYPE}) and a {@code signed} event records
     * the signature, the certificate, the bundle's digest and reference, and the log index when logged.
     */
    public static Event signWithCertificate(ArtifactStore store, Ledger ledger, String name, String version, CertificateSigner signer,
                                            String actor, Clock clock) {
        Event built = built(ledger, name, version);
        StoredManifest m = manifest(store, name, version, built.digest().orElseThrow());
        CertificateSigner.Signed s = signer.signDigest(sha256(m.bytes()), clock.instant());
        byte[] document = Json.pretty(s.bundle()).getBytes(StandardCharsets.UTF_8);
        Referrers.Stored stored = Referrers.push(store, name, m, SigstoreBundle.MEDIA_TYPE, BUNDLE_TITLE, document);
        X509Certificate cert = SigningCertificates.parse(Base64.getDecoder().decode(
                s.bundle().path("verificationMaterial").path("certificate").path("rawBytes").asText()), "the certificate");
        ObjectNode p = Json.object().put("target", name + ":" + OciNames.tagForVersion(version))
                .put("signature", Base64.getEncoder().encodeToString(s.signature()))
                .put("certificate", SigningCertificates.pem(cert))
                .put("identity", String.join(",", SigningCertificates.identities(cert)))
                .put("bundleDigest", stored.document().toString()).put("reference", stored.reference());
        SigningCertificates.oidcIssuer(cert).ifPresent(i -> p.put("issuer", i));
        s.logIndex().ifPresent(i -> p.put("logIndex", i));
        return ledger.append(Event.draft(EventType.SIGNED.wire(), name + "@" + version, built.digest(), actor, clock.instant(), p));
    }

    /**
     * Verifies the release's certificate signatures: each recorded bundle is read back from the store by digest (its
     * referrer must name the built manifest) and checked by {@link CertificateVerifier} against {@code policy} and
     * {@code root}. Records {@code signature-verified} (with the identity) or {@code signature-failed} (with the
     * reason of the last bundle tried); throws a refusal when none verifies.
     */
    public static Event verifyWithCertificate(ArtifactStore store, Ledger ledger, String name, String version,
                                              CertificateVerifier.Policy policy, TrustRoot root, String actor, Clock clock) {
        String subject = name + "@" + version;
        Event built = built(ledger, name, version);
        Digest digest = built.digest().orElseThrow();
        Tagged tagged = tagged(store, name, version);
        StoredManifest m = tagged.manifest();
        Optional<String> reason = tagged.problem().or(() -> artifactProblem(store, name, version, m, digest));
        Optional<Checked> ok = Optional.empty();
        String reference = "";
        if (reason.isEmpty()) {
            List<Event> signed = ledger.events(subject).stream().filter(e -> EventType.SIGNED.is(e)
                    && e.digest().equals(Optional.of(digest)) && e.payload().hasNonNull("reference")).toList();
            if (signed.isEmpty()) {
                reason = Optional.of("signature.missing: " + subject + " (" + digest + ") has no certificate signature (no stored bundle)");
            }
            for (int i = signed.size() - 1; i >= 0 && ok.isEmpty(); i--) {
                Event s = signed.get(i);
                reference = s.payload().path("reference").asText();
                try {
                    ok = Optional.of(checkBundle(store, name, m, digest, s, policy, root, clock));
                    reason = Optional.empty();
                } catch (SignatureCheckFailed e) {
                    reason = Optional.of(e.getMessage());
                } catch (InputException e) {
                    reason = Optional.of("bundle.unreadable: " + reference + ": " + e.getMessage());
                } catch (RefusedException e) {
                    // the store's bytes are not those the ledger names
                    reason = Optional.of(e.refusals().get(0).rule() + ": " + e.refusals().get(0).evidence());
                }
            }
        }
        ObjectNode p = Json.object().put("target", name + ":" + OciNames.tagForVersion(version)).put("reference", reference)
                .put("policy", policy.identity().orElseGet(() -> "/" + policy.identityRegexp().orElseThrow().pattern() + "/"))
                .put("issuer", policy.issuer()).put("trustRoot", root.source());
        ok.ifPresent(c -> p.put("identity", c.verified().identity()).put("signingTime", c.verified().signingTime().toString())
                .put("signingTimeSource", c.verified().timeFromLog() ? "tlog" : "now").put("authority", c.verified().authority())
                .put("certificate", SigningCertificates.pem(c.certificate())));
        return recordOutcome(ledger, subject, digest, p, reason,
                "sign exactly the built artifact with a certificate for the expected identity, issued by a trusted CA", actor, clock);
    }

    /**
     * Records a verification's outcome ({@code signature-verified}, or {@code signature-failed} with the reason) and, when it
     * failed, refuses: the reason is {@code rule: evidence}.
     */
    private static Event recordOutcome(Ledger ledger, String subject, Digest digest, ObjectNode payload, Optional<String> reason,
                                       String remedy, String actor, Clock clock) {
        reason.ifPresent(r -> payload.put("reason", r));
        Event e = ledger.append(Event.draft(reason.isPresent() ? EventType.SIGNATURE_FAILED.wire() : EventType.SIGNATURE_VERIFIED.wire(), subject,
                Optional.of(digest), actor, clock.instant(), payload));
        if (reason.isPresent()) {
            String r = reason.get();
            throw new RefusedException(new Refusal(r.substring(0, r.indexOf(':')), r.substring(r.indexOf(':') + 2), remedy));
        }
        return e;
    }

    /** A bundle that verified, and its leaf certificate (whose key also signs the release's other evidence). */
    private record Checked(CertificateVerifier.Verified verified, X509Certificate certificate) {
    }

    /**
     * The leaf certificate a {@code signature-verified} event of {@link #verifyWithCertificate} recorded: the certificate
     * that verified for the policy and trust root, so its key is the release key vouched for by that identity.
     */
    public static X509Certificate verifiedCertificate(Event verified) {
        String pem = verified.payload().path("certificate").asText("");
        if (!EventType.SIGNATURE_VERIFIED.is(verified) || pem.isEmpty()) {
            throw new InputException("event " + verified.id() + " is not a verified certificate signature");
        }
        return SigningCertificates.parsePem(pem, "the verified certificate of event " + verified.id()).get(0);
    }

    private static Checked checkBundle(ArtifactStore store, String name, StoredManifest m, Digest digest, Event signed,
                                                            CertificateVerifier.Policy policy, TrustRoot root, Clock clock) {
        String reference = signed.payload().path("reference").asText();
        Digest expected = Digest.parse(signed.payload().path("bundleDigest").asText());
        StoredManifest referrer = store.fetchManifest(name, reference.substring(reference.indexOf('@') + 1)).orElseThrow(() ->
                new SignatureCheckFailed("bundle.missing", "the bundle " + reference + " is not in store " + store.location()));
        JsonNode r = TransparencyLog.readJson(referrer.bytes(), "the bundle's referrer manifest");
        if (!digest.toString().equals(r.path("subject").path("digest").asText())) {
            throw new SignatureCheckFailed("bundle.subject", "the bundle " + reference + " refers to " + r.path("subject").path("digest").asText()
                    + ", not to " + digest);
        }
        Digest layer = Digest.parse(r.path("layers").path(0).path("digest").asText());
        if (!layer.equals(expected)) {
            throw new SignatureCheckFailed("bundle.digest", "the stored bundle is " + layer + ", not the recorded " + expected);
        }
        byte[] document;
        try (var in = store.openBlob(name, layer)) {
            document = in.readNBytes(16 << 20);
        } catch (java.io.IOException e) {
            throw new InputException("cannot read the bundle " + reference + ": " + e.getMessage(), e);
        }
        if (!Digester.of(document).equals(expected)) {
            throw new SignatureCheckFailed("bundle.digest", "the stored bundle does not match its digest " + expected);
        }
        SigstoreBundle.Contents c = SigstoreBundle.parse(document, reference);
        return new Checked(CertificateVerifier.verify(new CertificateVerifier.Evidence(sha256(m.bytes()), c.signature(), c.certificate(),
                Optional.of(c.digest()), c.tlogEntries()), policy, root, clock.instant()), c.certificate());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event built(Ledger ledger, String name, String version) {
        return ledger.events(name + "@" + version).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("signature.unknown-release",
                        "the ledger has no 'built' event for " + name + "@" + version, "build it first")));
    }

    private static StoredManifest manifest(ArtifactStore store, String name, String version, Digest digest) {
        StoredManifest m = store.fetchManifest(name, OciNames.tagForVersion(version)).orElseThrow(() -> new InputException(
                name + ":" + version + " is not in store " + store.location()));
        if (!m.digest().equals(digest)) {
            throw new RefusedException(new Refusal("signature.digest", "the store's " + name + ":" + version + " is " + m.digest()
                    + ", not the built " + digest, "sign only the digest that was built"));
        }
        return m;
    }
}
