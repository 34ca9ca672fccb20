package io.releasegate.testing;

import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.store.ArtifactStore;
import io.releasegate.verify.VerifyRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Optional;

/**
 * The evidence a release needs for staging and production, made for real as the pipeline makes it: the artifact
 * signed with a release key made for the test and verified, its SBOMs, its signed provenance (verified from the
 * store) and a passing gate decision.
 */
public final class Evidence {

    /** The release key that signed the evidence. */
    public record Keys(KeySigner signer, PublicKey publicKey) {
    }

    private Evidence() {
    }

    /** A new release key in {@code dir} (test-only). */
    public static Keys keys(Path dir) {
        try {
            Files.createDirectories(dir);
            String[] k = KeySigner.generatePem();
            Path key = Files.writeString(dir.resolve("release-key.pem"), k[0]);
            Path pub = Files.writeString(dir.resolve("release-key.pub.pem"), k[1]);
            return new Keys(KeySigner.fromPem(key), KeySigner.publicKey(pub));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Provenance.Build build(Clock clock) {
        return new Provenance.Build("https://git.example.com/payments.git", "refs/heads/main", "Jenkinsfile", "golden", "v1.4.0",
                Optional.empty(), "https://jenkins.example.com/job/payments/", "build-7", clock.instant(), clock.instant());
    }

    /** Signs, SBOMs, provenance, a passing gate decision, then verifies the release as verify --release does. */
    public static Keys record(ArtifactStore store, Ledger ledger, String name, String version, Path keyDir, Clock clock) {
        Event built = ledger.events(name + "@" + version).stream().filter(e -> e.type().equals("built")).findFirst().orElseThrow();
        ledger.append(Event.draft("gate-evaluated", name + "@" + version, built.digest(), "ci", clock.instant(),
                Json.object().put("name", "gates").put("result", "pass")));
        return signed(store, ledger, name, version, keyDir, clock);
    }

    /** Signs, SBOMs and provenance, then verifies the release as verify --release does; no gate decision. */
    public static Keys signed(ArtifactStore store, Ledger ledger, String name, String version, Path keyDir, Clock clock) {
        Keys keys = keys(keyDir);
        ReleaseSignatures.sign(store, ledger, name, version, keys.signer(), keys.publicKey(), "ci", clock);
        GenerateSbom.call(store, ledger, name, version, Optional.empty(), Limits.defaults(), "ci", clock);
        Provenance.generate(store, ledger, name, version, build(clock), keys.signer(), "release-key", "ci", clock);
        new VerifyRelease(store, ledger).release(name, version).key(keys.publicKey()).requireProvenance(true).actor("ci")
                .clock(clock).call();
        return keys;
    }
}
