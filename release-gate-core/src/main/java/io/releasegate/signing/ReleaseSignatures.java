package io.releasegate.signing;

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
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
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

    /** SHA-256 fingerprint of a public key's SubjectPublicKeyInfo, hex. */
    public static String fingerprint(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        return ledger.append(Event.draft("signed", name + "@" + version, built.digest(), actor, clock.instant(), p));
    }

    /** Verifies the recorded signatures of the release against {@code key}; records the outcome; throws when it fails. */
    public static Event verify(ArtifactStore store, Ledger ledger, String name, String version, PublicKey key, String actor,
                               Clock clock) {
        String subject = name + "@" + version;
        Event built = built(ledger, name, version);
        Digest digest = built.digest().orElseThrow();
        Optional<String> reason = Optional.empty();
        StoredManifest m = store.fetchManifest(name, OciNames.tagForVersion(version)).orElse(null);
        List<Event> signed = ledger.events(subject).stream().filter(e -> e.type().equals("signed") && e.digest().equals(Optional.of(digest))).toList();
        if (m == null) {
            reason = Optional.of("signature.artifact-missing: " + name + ":" + version + " is not in store " + store.location());
        } else if (!Digester.of(m.bytes()).equals(digest)) {
            reason = Optional.of("signature.digest: the store's " + name + ":" + version + " is " + Digester.of(m.bytes())
                    + ", not the built " + digest);
        } else if (signed.isEmpty()) {
            reason = Optional.of("signature.missing: " + subject + " (" + digest + ") was never signed");
        } else {
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
        reason.ifPresent(r -> p.put("reason", r));
        Event e = ledger.append(Event.draft(reason.isPresent() ? "signature-failed" : "signature-verified", subject,
                Optional.of(digest), actor, clock.instant(), p));
        if (reason.isPresent()) {
            String r = reason.get();
            throw new RefusedException(new Refusal(r.substring(0, r.indexOf(':')), r.substring(r.indexOf(':') + 2),
                    "sign exactly the built artifact with the release key, and verify with its public key"));
        }
        return e;
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
