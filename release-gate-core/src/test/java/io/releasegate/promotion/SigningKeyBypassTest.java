package io.releasegate.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.signing.KeyFiles;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.RevokedKeys;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.store.OciNames;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Insiders who hold the CI key try to promote a release signed by a key that is no longer good: one the trust
 * configuration revoked (after the release was verified with it), or a weak key whose verification they recorded
 * by hand. Both are refused at promotion by their rule, and nothing is promoted.
 */
class SigningKeyBypassTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    TestTrust trust;
    Policy policy;
    OciLayoutStore store;
    Ledger ledger;
    Digest digest;

    @BeforeEach
    void built() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"));
        TestRepo repo = TestRepo.init(tmp.resolve("repo"));
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        policy = PolicyLoader.load(Optional.empty());
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = open();
        digest = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(repo.dir()).outputs(List.of("*.txt"))
                .actor("ci").clock(MONDAY).call().digest();
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    Ledger open() {
        return GitLedger.open(GitLedger.Options.of("", tmp.resolve("state")).withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(trust.ci())));
    }

    PromoteDigest promote(String env) {
        return new PromoteDigest(policy, store, ledger).release("payments", "1.0.0").digest(digest).to(env).actor("ci").clock(MONDAY);
    }

    void refused(String env, String rule, String message) {
        int before = ledger.events().size();
        Throwable thrown = catchThrowable(() -> promote(env).call());
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).as(thrown.getMessage()).anySatisfy(r -> {
            assertThat(r.rule()).isEqualTo(rule);
            assertThat(r.evidence()).contains(message);
        });
        assertThat(ledger.events()).as("nothing recorded").hasSize(before);
    }

    /** The trust configuration revokes {@code fingerprint} from {@code since}; the ledger is read with it again. */
    void revoke(String fingerprint, String since) throws Exception {
        Files.writeString(trust.file(), Files.readString(trust.file()) + "revoked:\n  - fingerprint: sha256:" + fingerprint.toUpperCase()
                + "\n    since: " + since + "\n    reason: key left on a lost laptop\n");
        ledger.close();
        ledger = open();
    }

    @Test
    void aReleaseVerifiedBeforeItsKeyWasRevokedIsNotPromotedOnceTheRevocationCoversItsSignature() throws Exception {
        Evidence.Keys keys = Evidence.signed(store, ledger, "payments", "1.0.0", tmp.resolve("keys"), MONDAY);
        String fingerprint = ReleaseSignatures.fingerprint(keys.publicKey());
        // revoked from a later date: the signature was made before, and is still good
        revoke(fingerprint, "2026-11-24");
        assertThat(promote("dev").call().environment()).isEqualTo("dev");
        // revoked from the signing day on (a date, its start in UTC): the recorded verification no longer carries it
        Files.writeString(trust.file(), Files.readString(trust.file()).replace("since: 2026-11-24", "since: 2026-11-23"));
        ledger.close();
        ledger = open();
        assertThat(ledger.trust().revoked().at(fingerprint, MONDAY.instant())).isPresent();
        evidenceForStaging();
        refused("staging", RevokedKeys.RULE, fingerprint);
    }

    @Test
    void aWeakKeyWhoseVerificationWasRecordedByHandIsRefusedAtPromotion() throws Exception {
        Evidence.signed(store, ledger, "payments", "1.0.0", tmp.resolve("keys"), MONDAY);
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair weak = g.generateKeyPair();
        byte[] manifest = store.fetchManifest("payments", OciNames.tagForVersion("1.0.0")).orElseThrow().bytes();
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(weak.getPrivate());
        s.update(manifest);
        String fp = ReleaseSignatures.fingerprint(weak.getPublic());
        ledger.append(Event.draft(EventType.SIGNED.wire(), "payments@1.0.0", Optional.of(digest), "ci", MONDAY.instant(),
                Json.object().put("target", "payments:1.0.0").put("signature", Base64.getEncoder().encodeToString(s.sign()))
                        .put("keyFingerprint", fp)));
        ledger.append(Event.draft(EventType.SIGNATURE_VERIFIED.wire(), "payments@1.0.0", Optional.of(digest), "ci", MONDAY.instant(),
                Json.object().put("target", "payments:1.0.0").put("keyFingerprint", fp).put("publicKey", KeySigner.pem(weak.getPublic()))));
        promote("dev").call();
        evidenceForStaging();
        refused("staging", KeyFiles.WEAK, "1024 bits");
        assertThat(ledger.events().stream().filter(e -> e.type().equals("promoted")
                && e.text("environment").orElse("").equals("staging"))).isEmpty();
    }

    /** What staging needs besides signatures: a passing gate decision. */
    void evidenceForStaging() {
        ledger.append(Event.draft("gate-evaluated", "payments@1.0.0", Optional.of(digest), "ci", MONDAY.instant(),
                Json.object().put("name", "gates").put("result", "pass")));
    }
}
